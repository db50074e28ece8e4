// The run, `host-crash --connections 10000 --keepalive 1,1,2` with both default
// workloads: 20,000 sockets on each end host. Where the agents can raise their descriptor limit
// (CAP_SYS_RESOURCE) one agent a host holds them; where they cannot, they are spread over
// several agents a host (up to four). Only a run that even four cannot hold is refused, at once,
// before any lab is built, with the numbers and the way out.
import { describe, expect, it } from "vitest";
import { fileLimit } from "../../src/lab/file-limit.js";
import { fits } from "../../src/lab/sharding.js";
import { PRE_FAULT_MS } from "../../src/plan/timing.js";
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
const runs = fits({ client: 20_000, server: 20_000 }, limit.limit);

describe.skipIf(!isRoot)("10,000 connections of each default workload", () => {
  it(runs
    ? "runs: every idle connection detects the crash within its predicted window"
    : "is refused before any lab is built", async () => {
    const before = hostState();
    const started = Date.now();
    const res = await tcpdrop([...args, "--json"], 120_000);
    if (runs) {
      // Exit 0 when "idle: predicted" held for each of the 10,000 idle connections. On a loaded
      // 2-core machine a few keepalive probes can meet a full input backlog and go again 500 ms
      // later (the kernel's own retry), which fails that one check (exit 1) and nothing else;
      // the bench holds the 100 ms p99 target (BENCHMARKS.md section 6).
      expect([0, 1], res.stderr).toContain(res.code);
      const run = JSON.parse(res.stdout).runs[0];
      const failed = run.verdicts.filter((v: { pass: boolean }) => !v.pass);
      expect(failed.map((v: { expectation: string }) => v.expectation)).toEqual(
        res.code === 0 ? [] : ["idle: predicted"],
      );
      const [idle, writer] = run.distributions;
      // keepalive 1,1,2 gives up 3 s after each connection's last activity. The connections
      // open over `connectSpreadMs` and the fault comes PRE_FAULT_MS after the last, so the
      // first ones detect up to that spread earlier: the window is per connection.
      expect(idle.maxMs).toBeLessThan(3000 - PRE_FAULT_MS + 600);
      expect(idle.minMs).toBeGreaterThan(3000 - PRE_FAULT_MS - idle.connectSpreadMs - 600);
      expect(idle.p99ErrorMs).toBeLessThan(600);
      expect(idle).toMatchObject({
        group: "idle",
        count: 10_000,
        detected: 10_000,
        outcome: "recv ETIMEDOUT",
      });
      // Data in flight stops keepalive: the writers see nothing within the window.
      expect(writer).toMatchObject({ group: "writer", count: 10_000, detected: 0 });
      expect(run.connections.map((c: { id: string }) => c.id).slice(9_999, 10_001)).toEqual([
        "idle-10000",
        "writer-1",
      ]);
    } else {
      expect(res.code).toBe(2);
      expect(res.stdout).toBe("");
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).toContain(`needs about 20100 file descriptors on each end host`);
      expect(res.stderr).toContain(`at a limit of ${limit.limit} each`);
      expect(Date.now() - started).toBeLessThan(5000);
    }
    expect(hostState()).toEqual(before);
  }, 150_000);
});
