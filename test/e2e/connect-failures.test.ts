// End to end, as root: connect() against silence (a dead host) and a refusal, three runs each
// with identical outcomes: when the SYN retransmissions give up, by tcp_syn_retries, the linear
// timeouts or TCP_USER_TIMEOUT, and what each detection method sees when connect itself fails.
import { describe, expect, it } from "vitest";
import { isRoot } from "./helpers.js";
import { threeIdentical } from "./repeat-helpers.js";

describe.skipIf(!isRoot)("connect failures", () => {
  it("connect-dead-host --syn-retries 1: connect ETIMEDOUT after 1 + 2 s", async () => {
    const report = await threeIdentical(
      ["connect-dead-host", "--syn-retries", "1", "--window", "5"],
      ["idle: connect ETIMEDOUT"],
    );
    for (const run of report.runs) {
      const t = run.connections[0].firstFailure?.afterMs ?? 0;
      expect(t).toBeGreaterThan(2900);
      expect(t).toBeLessThan(3400);
    }
  });

  it("connect-dead-host --user-timeout 2500: TCP_USER_TIMEOUT ends connect at 2.5 s, as predicted", async () => {
    const report = await threeIdentical(
      ["connect-dead-host", "--user-timeout", "2500", "--window", "5"],
      ["idle: connect ETIMEDOUT"],
    );
    for (const run of report.runs) {
      const t = run.connections[0].firstFailure?.afterMs ?? 0;
      expect(t).toBeGreaterThan(2450);
      expect(t).toBeLessThan(2900);
      expect(run.connections[0].predicted?.basis).toContain("TCP_USER_TIMEOUT 2500 ms");
    }
  });

  it("connect-refused --detect poll,tcp-info: the refused connect is what both see, as predicted", async () => {
    await threeIdentical(
      ["connect-refused", "--detect", "poll,tcp-info"],
      ["poll: connect ECONNREFUSED", "tcp-info: connect ECONNREFUSED"],
    );
  });

  it("connect-dead-host --syn-retries 2: five 1 s linear timeouts, ETIMEDOUT at ~7 s as predicted", async () => {
    const report = await threeIdentical(
      ["connect-dead-host", "--syn-retries", "2", "--window", "10"],
      ["idle: connect ETIMEDOUT"],
    );
    for (const run of report.runs) {
      const linear = Number(run.settings.sysctls["net.ipv4.tcp_syn_linear_timeouts"] ?? 0);
      const t = run.connections[0].firstFailure?.afterMs ?? 0;
      // 7 s from the first SYN whether the kernel has linear timeouts or not: with 4 of them
      // the time limit ends it before the count (SYNs at 0..5 s), without them at 0, 1, 3 s.
      expect(t).toBeGreaterThan(6900);
      expect(t).toBeLessThan(7700);
      expect(run.connections[0].predicted?.basis).toContain(
        linear > 0 ? `tcp_syn_linear_timeouts=${linear}` : "tcp_syn_retries=2",
      );
    }
  });
});
