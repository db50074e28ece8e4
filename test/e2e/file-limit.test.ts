// The run, `host-crash --connections 10000 --keepalive 1,1,2` with both default
// workloads: 20,000 sockets per agent. Where the agents can raise their descriptor limit
// (CAP_SYS_RESOURCE) it runs; where they cannot and the limit is too low, it is refused at once,
// before any lab is built, with the numbers and the way out.
import { describe, expect, it } from "vitest";
import { descriptorsNeeded, fileLimit } from "../../src/lab/file-limit.js";
import { hostState, isRoot, tcpdrop } from "./helpers.js";

const args = [
  "run",
  "host-crash",
  "--connections",
  "10000",
  "--keepalive",
  "1,1,2",
  "--window",
  "4",
];
const limit = fileLimit();
const fits = descriptorsNeeded(10_000, 2) <= limit.limit;

describe.skipIf(!isRoot)("10,000 connections of each default workload", () => {
  it(fits
    ? "runs: the agents raise their limit"
    : "is refused before any lab is built", async () => {
    const before = hostState();
    const started = Date.now();
    const res = await tcpdrop([...args, "--json"], 120_000);
    if (fits) {
      expect(res.code, res.stderr).not.toBe(2);
      const [idle] = JSON.parse(res.stdout).runs[0].distributions;
      expect(idle).toMatchObject({ group: "idle", count: 10_000, detected: 10_000 });
    } else {
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).toContain(`needs about 20100 file descriptors`);
      expect(res.stderr).toContain(`the limit is ${limit.limit}`);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(hostState()).toEqual(before);
    }
  }, 150_000);
});
