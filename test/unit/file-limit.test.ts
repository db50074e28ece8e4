// Thousands of connections need thousands of descriptors in each lab agent: a run the agents'
// limit cannot hold is refused before any lab is built, saying how many it needs, the limit,
// and how to raise it.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { preflight } from "../../src/commands/preflight.js";
import { SetupError } from "../../src/errors.js";
import { descriptorsNeeded, type FileLimit, fileLimit } from "../../src/lab/file-limit.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { Settings } from "../../src/types.js";

const base: Settings = {
  engine: "syscall",
  keepalive: null,
  userTimeoutMs: null,
  retries2: null,
  windowS: 10,
  ignoreSigterm: false,
  graceMs: 2000,
};
const job = (settings: Partial<Settings>) => ({
  scenario: loadScenario("host-crash"),
  settings: { ...base, ...settings },
});
const fixed: FileLimit = { limit: 20_000, hard: 20_000, nrOpen: 1_048_576, canRaise: false };

describe("the agents' descriptor budget", () => {
  it("2 workloads x 10,000 connections over a fixed 20,000 limit: exit 2 before the lab", () => {
    const run = () => preflight([job({ connections: 10_000 })], [], { fileLimit: fixed });
    expect(run).toThrow(SetupError);
    expect(run).toThrow(
      /--connections 10000 with 2 connection groups needs about 20100 file descriptors in each lab agent, but the limit is 20000 .* raise the hard limit to 20100 .* or use --connections 9950 or fewer$/,
    );
  });

  it("fits when the agents can raise their limit to fs.nr_open, or with fewer connections", () => {
    const raisable = { ...fixed, limit: fixed.nrOpen, canRaise: true };
    expect(() =>
      preflight([job({ connections: 10_000 })], [], { fileLimit: raisable }),
    ).not.toThrow();
    expect(() => preflight([job({ connections: 9_950 })], [], { fileLimit: fixed })).not.toThrow();
    // One group (--detect recv) needs half as many.
    expect(() =>
      preflight([job({ connections: 10_000, detect: ["recv"] })], [], { fileLimit: fixed }),
    ).not.toThrow();
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
