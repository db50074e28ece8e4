// A batch's default parallelism: every job at once, as far as memory and descriptors allow;
// and its order: the runs expected to watch longest start first.
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { scenarioSettings } from "../../src/plan/index.js";
import { expectedWatchMs } from "../../src/runner/expected-length.js";
import { longestFirst } from "../../src/runner/jobs.js";
import {
  defaultParallel,
  LAB_DESCRIPTORS,
  LAB_MEMORY_BYTES,
  MAX_PARALLEL,
} from "../../src/runner/parallelism.js";
import { loadBuiltIns, loadScenario } from "../../src/scenario/load.js";

const GiB = 1024 ** 3;
const roomy = { freeBytes: 64 * GiB, descriptors: 1_048_576 };

describe("defaultParallel", () => {
  it("runs every job at once on a roomy machine, up to MAX_PARALLEL", () => {
    expect(defaultParallel(22, roomy)).toBe(22);
    expect(defaultParallel(1, roomy)).toBe(1);
    expect(defaultParallel(500, roomy)).toBe(MAX_PARALLEL);
  });

  it("keeps half the free memory and the descriptor limit", () => {
    expect(defaultParallel(22, { ...roomy, freeBytes: 10 * LAB_MEMORY_BYTES })).toBe(5);
    expect(defaultParallel(22, { ...roomy, descriptors: 128 + 7 * LAB_DESCRIPTORS })).toBe(7);
  });

  it("is at least one, however small the machine", () => {
    expect(defaultParallel(22, { freeBytes: 0, descriptors: 0 })).toBe(1);
  });
});

describe("longestFirst", () => {
  const job = (name: string, flags = {}) => {
    const scenario = loadScenario(name);
    return { scenario, settings: scenarioSettings(scenario, parseSettings(flags)) };
  };

  it("expects a silent crash to watch the whole window and a FIN to end it at once", () => {
    expect(expectedWatchMs(job("host-crash").scenario, job("host-crash").settings)).toBe(10_000);
    expect(expectedWatchMs(job("peer-close").scenario, job("peer-close").settings)).toBe(0);
    // keepalive alone leaves the writer to tcp_retries2 (minutes): the whole window
    const ka = job("host-crash", { keepalive: "1,1,2" });
    expect(expectedWatchMs(ka.scenario, ka.settings)).toBe(10_000);
    // with TCP_USER_TIMEOUT 3000 too, both notice within seconds: the idle at ~3 s, the writer last
    const both = job("host-crash", { keepalive: "1,1,2", userTimeout: "3000" });
    const ms = expectedWatchMs(both.scenario, both.settings);
    expect(ms).toBeGreaterThan(3000);
    expect(ms).toBeLessThan(8000);
  });

  it("puts the whole-window runs first and keeps the given order among equals", () => {
    const jobs = loadBuiltIns().map((s) => ({ scenario: s, settings: job(s.name).settings }));
    const ordered = longestFirst(jobs).map((j) => j.scenario.name);
    const firstShort = ordered.indexOf("peer-close");
    expect(ordered.indexOf("host-crash")).toBeLessThan(firstShort);
    expect(ordered.indexOf("partition-heal")).toBeLessThan(firstShort);
    expect(ordered.indexOf("shutdown")).toBeGreaterThan(ordered.indexOf("host-crash"));
    // the whole-window runs keep the catalogue's (alphabetical) order
    const long = ordered.slice(0, ordered.indexOf("host-crash") + 1);
    expect(long).toEqual([...long].sort());
  });
});
