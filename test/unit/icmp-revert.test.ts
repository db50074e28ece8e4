import { describe, expect, it } from "vitest";
import { routerIcmpLimiter } from "../../src/predict/icmp-ratelimit.js";
import { type IcmpWriterInput, simulateIcmpWriter } from "../../src/predict/icmp-revert.js";
import { retransmitGiveUpMs } from "../../src/predict/retransmit.js";

const base = (
  over: Partial<IcmpWriterInput> & { ratelimitMs?: number; family?: "ipv4" | "ipv6" },
) => {
  const { ratelimitMs = 1000, family = "ipv4", ...rest } = over;
  return simulateIcmpWriter({
    firstUnackedSendMs: 150,
    sendIntervalMs: 200,
    rtoMs: 204,
    retries2: 15,
    userTimeoutMs: 3000,
    recverr: false,
    hz: 250,
    limiter: routerIcmpLimiter({ family, ratelimitMs, hz: 250 }),
    ...rest,
  });
};

const within10 = (predicted: number, measured: number) =>
  expect(Math.abs(predicted - measured)).toBeLessThan(measured * 0.1);

describe("simulateIcmpWriter against the lab's measurements (HZ=250, RTO 204 ms)", () => {
  // Measured medians (3 runs each): see the comments in icmp-revert.ts.
  it("TCP_USER_TIMEOUT 3000, stock router: ~5.13 s, one revert", () => {
    const o = base({});
    within10(o.atMs, 5127);
    expect(o.by).toBe("timer");
    expect(o.segments.filter((s) => s.effect === "reverted")).toHaveLength(1);
    expect(o.segments.filter((s) => s.effect === "lock-dropped")).toHaveLength(2);
  });

  it("TCP_USER_TIMEOUT 3000, icmp_ratelimit 0: ~4.11 s, four reverts", () => {
    const o = base({ ratelimitMs: 0 });
    within10(o.atMs, 4110);
    expect(o.segments.filter((s) => s.effect === "reverted")).toHaveLength(4);
  });

  it("IP_RECVERR, stock router: the first unowned answer is the 4th RTO's, ~3.48 s", () => {
    const o = base({ recverr: true, userTimeoutMs: null });
    within10(o.atMs, 3481);
    expect(o.by).toBe("recverr");
    expect(o.segments.at(-1)?.what).toBe("rto");
  });

  it("IP_RECVERR, icmp_ratelimit 0: the tail loss probe's answer, ~0.36 s", () => {
    const o = base({ recverr: true, userTimeoutMs: null, ratelimitMs: 0 });
    within10(o.atMs, 355);
    expect(o.segments.at(-1)?.what).toBe("probe");
  });

  it("without ICMP answers (all rate-limited) it is the plain clamped timer", () => {
    const o = base({ limiter: () => "xrlim" });
    const plain = retransmitGiveUpMs({
      firstUnackedSendMs: 150,
      rtoMs: 204,
      retries2: 15,
      userTimeoutMs: 3000,
      hz: 250,
    });
    expect(o.atMs).toBe(plain.atMs);
  });

  it("tcp_retries2 4, stock router: ~8.47 s (the answer at ~5.1 s is rate-limited)", () => {
    within10(base({ userTimeoutMs: null, retries2: 4 }).atMs, 8473);
  });

  it("tcp_retries2 4, icmp_ratelimit 0: ~7.42 s", () => {
    within10(base({ userTimeoutMs: null, retries2: 4, ratelimitMs: 0 }).atMs, 7416);
  });

  it("TCP_USER_TIMEOUT 2000, stock router: no answer before the give-up, ~2.57 s", () => {
    const o = base({ userTimeoutMs: 2000 });
    within10(o.atMs, 2566);
    expect(o.segments.filter((s) => s.effect === "reverted")).toHaveLength(0);
  });

  it("every retransmission answered (IPv6, no limit): the backoff never grows", () => {
    const o = base({ family: "ipv6", ratelimitMs: 0 });
    const rtos = o.segments.filter((s) => s.what === "rto").map((s) => s.atMs);
    const gaps = rtos.slice(1).map((t, i) => t - rtos[i]);
    for (const gap of gaps) expect(gap).toBeLessThan(220);
    expect(o.atMs).toBeGreaterThanOrEqual(rtos[0] + 3000);
    expect(o.atMs).toBeLessThan(rtos[0] + 3000 + 220);
  });

  it("sends after the first RTO are not transmitted (loss recovery)", () => {
    const o = base({});
    const firstRto = o.segments.find((s) => s.what === "rto")?.atMs ?? 0;
    expect(o.segments.filter((s) => s.what === "send" && s.atMs > firstRto)).toHaveLength(0);
  });
});
