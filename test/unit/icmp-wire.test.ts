// ICMP host/net unreachable from the router: a soft error, with the router's per-host limiter,
// lock-dropped answers and RFC 6069 backoff reverts (predict/icmp.ts, icmp-revert.ts).
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { icmpUnreachable, softError } from "../../src/predict/icmp.js";
import { retransmitGiveUpMs } from "../../src/predict/retransmit.js";
import { silent } from "../../src/predict/silence.js";
import type { WireEffect } from "../../src/predict/wire.js";
import type { ConnectionFacts, KernelParams } from "../../src/types.js";
import { idle, kernel, run, writer } from "./wire-fixtures.js";

/** The lab's writer: a new send every 200 ms until the first RTO. */
const writerEvery200: ConnectionFacts = { ...writer, sendIntervalMs: 200 };
const unlimited: KernelParams = { ...kernel, icmpRatelimitMs: 0 };

const EHOST: WireEffect = icmpUnreachable("EHOSTUNREACH");
const ENET: WireEffect = icmpUnreachable("ENETUNREACH");

// Timeline of the writer above at HZ=250 (4 ms jiffies):
// - original send at 150 ms;
// - tail loss probe 200 ms + 2 jiffies = 52 jiffies later, level 0, +half a jiffy: 210 ms -> 360;
// - first RTO (204 ms = 51 jiffies, +half a jiffy: 206 ms) -> 566, which sets retrans_stamp.
const TLP_MS = 360;
const FIRST_RTO_MS = 566;

describe("icmp without IP_RECVERR: a soft error, reported when the timer gives up", () => {
  it("writer: the ICMP errno at the retransmission give-up (tcp_retries2=15)", () => {
    const p = run(EHOST, {}, writer);
    expect(p.result).toBe("EHOSTUNREACH");
    expect(p.call).toBeNull();
    // 924.6 s after the first RTO retransmission, and no more than one capped RTO later:
    // reverts shorten the RTOs but the give-up is still counted from the first retransmission.
    expect(p.afterMs).toBeGreaterThanOrEqual(FIRST_RTO_MS + 924_600);
    expect(p.afterMs).toBeLessThanOrEqual(FIRST_RTO_MS + 924_600 + 121_000);
    expect(p.basis).toContain("tcp_retries2=15");
    expect(p.basis).toContain("RFC 6069");
    expect(p.basis).toContain("EHOSTUNREACH");
  });

  it("writer: ENETUNREACH is passed through the same way", () => {
    const p = run(ENET, {}, writer);
    expect(p.result).toBe("ENETUNREACH");
    expect(p.afterMs).toBe(run(EHOST, {}, writer).afterMs);
  });

  it("writer with TCP_USER_TIMEOUT 3000, stock router: the revert at 3530 ms overruns it", () => {
    const p = run(EHOST, { userTimeout: "3000" }, writerEvery200);
    expect(p.result).toBe("EHOSTUNREACH");
    // Without ICMP the clamped timer would give up at 3568 ms (silent); the answer to the
    // retransmission at ~3530 ms reverts the backoff and re-arms 1.63 s: measured ~5.1 s.
    expect(run(silent(), { userTimeout: "3000" }, writerEvery200).afterMs).toBe(3568);
    expect(p.afterMs).toBeGreaterThan(5100);
    expect(p.afterMs).toBeLessThan(5300);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 3000 ms");
    expect(p.basis).toContain("one per 1000 ms");
  });

  it("writer with TCP_USER_TIMEOUT 3000, no per-host limit: ~4.1 s", () => {
    const p = run(EHOST, { userTimeout: "3000" }, writerEvery200, unlimited);
    expect(p.afterMs).toBeGreaterThan(4050);
    expect(p.afterMs).toBeLessThan(4250);
    expect(p.basis).toContain("without a per-host ICMP limit");
  });

  it("idle with keepalive: ETIMEDOUT from keepalive, the ICMP answers are ignored", () => {
    const p = run(EHOST, { keepalive: "1,1,2" }, idle);
    expect(p.call).toBe("recv");
    expect(p.result).toBe("ETIMEDOUT");
    // -50 + 1016 (idle) + 2 x 1016 (intervals)
    expect(p.afterMs).toBe(2998);
    expect(p.afterMs).toBe(run(silent(), { keepalive: "1,1,2" }, idle).afterMs);
    expect(p.basis).toContain("ignored");
    expect(p.basis).toContain("keepalive 1 s + 2 x 1 s");
  });

  it("idle without keepalive: never", () => {
    const p = run(EHOST, {}, idle);
    expect(p).toMatchObject({ call: null, result: null, afterMs: null });
    expect(p.basis).toContain("never notices");
  });
});

describe("icmp with IP_RECVERR: the first answer that finds the socket unowned fails the call", () => {
  it("writer, no per-host limit: the answer to the tail loss probe", () => {
    const p = run(EHOST, { recverr: true }, writerEvery200, unlimited);
    expect(p.result).toBe("EHOSTUNREACH");
    // The probe's timer (52 jiffies, level 0) is not rounded: 150 + 208 ms, within a jiffy.
    expect(Math.abs((p.afterMs ?? 0) - TLP_MS)).toBeLessThanOrEqual(4);
    expect(p.call).toBeNull();
    expect(p.basis).toContain("IP_RECVERR");
    expect(p.basis).toContain(`at ${p.afterMs} ms`);
  });

  it("writer, stock router: the probe's answer is rate-limited; the 4th RTO's at ~3.5 s", () => {
    const p = run(EHOST, { recverr: true }, writerEvery200);
    expect(p.afterMs).toBeGreaterThan(3400);
    expect(p.afterMs).toBeLessThan(3600);
  });

  it("writer, stock router: uncertain, as the next send races the tail loss probe by ~8 ms", () => {
    // Measured under load: 2 of 6 runs ended at ~0.36 s, when the send after the first
    // unacknowledged one came after the probe and the probe's answer got through.
    const p = run(EHOST, { recverr: true }, writerEvery200);
    expect(p.uncertain).toMatch(/sends are 200 ms apart/);
    expect(p.uncertain).toMatch(/ends at ~35\d(\.\d)? ms/);
  });

  it("no race where the ending does not depend on it: unlimited router, or no IP_RECVERR", () => {
    expect(run(EHOST, { recverr: true }, writerEvery200, unlimited).uncertain).toBeUndefined();
    expect(run(EHOST, { userTimeout: "3000" }, writerEvery200).uncertain).toBeUndefined();
    expect(run(EHOST, { userTimeout: "2000" }, writerEvery200).uncertain).toBeUndefined();
  });

  it("writer: the probe time is the first retransmission the retransmit model gives", () => {
    const { retransmissions } = retransmitGiveUpMs({
      firstUnackedSendMs: 150,
      rtoMs: 204,
      retries2: 15,
      userTimeoutMs: null,
      hz: 250,
    });
    expect(retransmissions[0]).toBe(TLP_MS);
    expect(retransmissions[1]).toBe(FIRST_RTO_MS);
  });

  it("writer: ENETUNREACH with recverr", () => {
    const p = run(ENET, { recverr: true }, writerEvery200, unlimited);
    expect(p.result).toBe("ENETUNREACH");
    expect(Math.abs((p.afterMs ?? 0) - TLP_MS)).toBeLessThanOrEqual(4);
  });

  it("idle with keepalive: recverr does not help, still ETIMEDOUT", () => {
    const p = run(EHOST, { recverr: true, keepalive: "1,1,2" }, idle);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBe(2998);
    expect(p.basis).toContain("ignored");
  });

  it("idle without keepalive: still never", () => {
    const p = run(EHOST, { recverr: true }, idle);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
  });
});

describe("softError(): direct", () => {
  it("nothing to give up (idle, no keepalive): the silent prediction is passed through", () => {
    const settings = parseSettings({});
    const p = softError({ settings, facts: idle, kernel }, "EHOSTUNREACH");
    expect(p).toEqual(run(silent(), {}, idle));
    expect(p.result).toBeNull();
  });
});
