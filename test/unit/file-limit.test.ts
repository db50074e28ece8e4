// Thousands of connections need thousands of descriptors on each end host: they are spread over
// up to four agents a host where one agent's limit cannot hold them; a run that even four cannot
// hold is refused before any lab is built, saying how many it needs, the limit, and how to
// raise it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { preflight } from "../../src/commands/preflight.js";
import { SetupError } from "../../src/errors.js";
import { deal } from "../../src/lab/agent-group.js";
import { descriptorsNeeded, type FileLimit, fileLimit } from "../../src/lab/file-limit.js";
import { agentsPerHost } from "../../src/lab/sharding.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { Settings } from "../../src/types.js";
import { BASE_SETTINGS } from "./settings-fixture.js";

const base = BASE_SETTINGS;
const job = (settings: Partial<Settings>) => ({
  scenario: loadScenario("host-crash"),
  settings: { ...base, ...settings },
});
const fixed: FileLimit = { limit: 20_000, hard: 20_000, nrOpen: 1_048_576, canRaise: false };

describe("the agents' descriptor budget", () => {
  it("2 workloads x 10,000 connections over a fixed 20,000 limit: spread over two agents a host", () => {
    expect(() => preflight([job({ connections: 10_000 })], [], { fileLimit: fixed })).not.toThrow();
    const sockets = { client: 20_000, server: 20_000 };
    expect(agentsPerHost(sockets, fixed.limit)).toEqual({ client: 2, server: 2 });
    // One agent each while they fit; a server that holds nothing (connect after the fault): one.
    expect(agentsPerHost({ client: 19_900, server: 0 }, fixed.limit)).toEqual({
      client: 1,
      server: 1,
    });
  });

  it("beyond what four agents a host can hold: exit 2 before the lab, with the numbers", () => {
    const low: FileLimit = { limit: 1024, hard: 1024, nrOpen: 1_048_576, canRaise: false };
    const run = () => preflight([job({ connections: 10_000 })], [], { fileLimit: low });
    expect(run).toThrow(SetupError);
    expect(run).toThrow(
      /^--connections 10000 with 2 connection groups needs about 20100 file descriptors on each end host, more than 4 lab agents can hold at a limit of 1024 each .* raise the hard limit to 20100 .* or use --connections 1754 or fewer$/,
    );
    expect(() => preflight([job({ connections: 1754 })], [], { fileLimit: low })).not.toThrow();
    expect(() => preflight([job({ connections: 1755 })], [], { fileLimit: low })).toThrow();
  });

  it("fits when the agents can raise their limit to fs.nr_open: one agent a host", () => {
    const raisable = { ...fixed, limit: fixed.nrOpen, canRaise: true };
    expect(() =>
      preflight([job({ connections: 20_000 })], [], { fileLimit: raisable }),
    ).not.toThrow();
    expect(agentsPerHost({ client: 40_000, server: 40_000 }, raisable.limit)).toEqual({
      client: 1,
      server: 1,
    });
  });

  it("deals the connections out in turn, so each agent gets its share of every workload", () => {
    const specs = ["idle-1", "idle-2", "idle-3", "writer-1", "writer-2", "writer-3"].map(
      (conn) => ({
        conn,
      }),
    );
    expect(deal(specs, 2).map((part) => part.map((s) => s.conn))).toEqual([
      ["idle-1", "idle-3", "writer-2"],
      ["idle-2", "writer-1", "writer-3"],
    ]);
    expect(deal(specs, 4).map((part) => part.length)).toEqual([2, 2, 1, 1]);
  });

  it("counts one descriptor per connection of each group, plus the agent's own", () => {
    expect(descriptorsNeeded(10_000, 2)).toBe(20_100);
    expect(descriptorsNeeded(1, 7)).toBe(107);
  });

  it("reads this process's hard limit and fs.nr_open", () => {
    const got = fileLimit();
    const hard = /^Max open files\s+\S+\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    expect(got.nrOpen).toBe(Number(readFileSync("/proc/sys/fs/nr_open", "utf8")));
    if (hard?.[1] !== "unlimited") expect(got.hard).toBe(Math.min(Number(hard?.[1]), got.nrOpen));
    expect(got.limit).toBe(got.canRaise ? got.nrOpen : got.hard);
  });
});
