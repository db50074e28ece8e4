import { describe, expect, it } from "vitest";
import { icmpWriterModes } from "../../src/predict/icmp-modes.js";
import { routerIcmpLimiter } from "../../src/predict/icmp-ratelimit.js";

const modes = (retries2: number, userTimeoutMs: number | null, ratelimitMs = 1000) =>
  icmpWriterModes(
    {
      firstUnackedSendMs: 150,
      sendIntervalMs: 200,
      rtoMs: 204,
      retries2,
      userTimeoutMs,
      recverr: false,
      hz: 250,
    },
    () => routerIcmpLimiter({ family: "ipv4", ratelimitMs, hz: 250 }),
  );

describe("icmpWriterModes: timer-wheel rounding sampled", () => {
  it("TCP_USER_TIMEOUT 3000 on a stock router: one way to end, ~5.1 s", () => {
    const m = modes(15, 3000);
    expect(m).toHaveLength(1);
    expect(m[0].share).toBe(1);
    expect(m[0].atMs).toBeGreaterThan(5000);
    expect(m[0].atMs).toBeLessThan(5250);
  });

  it("tcp_retries2 4 on a stock router: ~8.5 s mostly, ~6.8 s when the 5th RTO's answer gets through", () => {
    const m = modes(4, null);
    expect(m[0].atMs).toBeGreaterThan(8300);
    expect(m[0].atMs).toBeLessThan(8700);
    expect(m[0].share).toBeGreaterThan(0.5);
    const early = m.find((x) => x.atMs < 7000);
    expect(early?.atMs).toBeGreaterThan(6600);
    expect(early?.example.segments.filter((s) => s.effect === "reverted")).toHaveLength(2);
  });

  it("is deterministic: the same inputs give the same modes", () => {
    expect(modes(6, null).map((x) => [x.atMs, x.share])).toEqual(
      modes(6, null).map((x) => [x.atMs, x.share]),
    );
  });

  it("shares add up to 1", () => {
    const total = modes(6, null).reduce((n, x) => n + x.share, 0);
    expect(total).toBeCloseTo(1, 9);
  });
});
