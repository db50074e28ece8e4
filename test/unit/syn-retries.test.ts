import { describe, expect, it } from "vitest";
import { synGiveUp } from "../../src/predict/syn-retries.js";

const whole = (ms: number[]) => ms.map((t) => Math.round(t / 1000));

describe("synGiveUp: SYN_SENT against a silent host (HZ=250)", () => {
  it("linear_timeouts 4, syn_retries 2: SYNs at 0..5 s, gives up at ~7 s by time", () => {
    const o = synGiveUp({ synRetries: 2, linearTimeouts: 4, hz: 250 });
    expect(whole(o.syns)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(o.by).toBe("time");
    expect(o.giveUpMs).toBeGreaterThanOrEqual(7000);
    expect(o.giveUpMs).toBeLessThan(7300);
  });

  it("linear_timeouts 4, syn_retries 3: SYNs at 0..5, 7, 11 s, gives up at ~19 s", () => {
    const o = synGiveUp({ synRetries: 3, linearTimeouts: 4, hz: 250 });
    expect(whole(o.syns)).toEqual([0, 1, 2, 3, 4, 5, 7, 11]);
    expect(o.giveUpMs).toBeGreaterThanOrEqual(19_000);
    expect(o.giveUpMs).toBeLessThan(19_600);
  });

  it("linear_timeouts 4, syn_retries 6 (defaults): 10 retransmissions, both limits at once", () => {
    const o = synGiveUp({ synRetries: 6, linearTimeouts: 4, hz: 250 });
    // The timer wheel rounds the long timers up: the seed measured the last SYN at ~68 s and
    // the give-up at ~133 s.
    expect(whole(o.syns).slice(0, 10)).toEqual([0, 1, 2, 3, 4, 5, 7, 11, 19, 35]);
    expect(o.syns).toHaveLength(11);
    expect(o.syns[10]).toBeGreaterThanOrEqual(67_000);
    expect(o.syns[10]).toBeLessThan(70_000);
    expect(o.by).toBe("count");
    expect(o.giveUpMs).toBeGreaterThanOrEqual(131_000);
    expect(o.giveUpMs).toBeLessThan(136_000);
  });

  it("linear_timeouts 0 (sysctl absent): classic 1, 2, 4 ... s doubling", () => {
    const o = synGiveUp({ synRetries: 3, linearTimeouts: 0, hz: 250 });
    expect(whole(o.syns)).toEqual([0, 1, 3, 7]);
    expect(o.giveUpMs).toBeGreaterThanOrEqual(15_000);
    expect(o.giveUpMs).toBeLessThan(15_400);
  });

  it("linear_timeouts 0, syn_retries 6: 127 s", () => {
    const o = synGiveUp({ synRetries: 6, linearTimeouts: 0, hz: 250 });
    expect(o.syns).toHaveLength(7);
    expect(Math.round(o.giveUpMs / 1000)).toBe(129);
  });

  it("a large linear count: the time limit ends it before the count", () => {
    const o = synGiveUp({ synRetries: 1, linearTimeouts: 10, hz: 250 });
    expect(whole(o.syns)).toEqual([0, 1, 2]);
    expect(o.by).toBe("time");
  });

  it("HZ=1000: the same SYN times to the second", () => {
    const o = synGiveUp({ synRetries: 3, linearTimeouts: 4, hz: 1000 });
    expect(whole(o.syns)).toEqual([0, 1, 2, 3, 4, 5, 7, 11]);
  });
});

describe("synGiveUp with TCP_USER_TIMEOUT (tcp_clamp_rto_to_user_timeout)", () => {
  it("3000 ms: SYNs at 0, 1, 2 s, and connect fails at the user timeout, not after 133 s", () => {
    const o = synGiveUp({ synRetries: 6, linearTimeouts: 4, hz: 250, userTimeoutMs: 3000 });
    expect(whole(o.syns)).toEqual([0, 1, 2]);
    expect(o.by).toBe("time");
    expect(o.giveUpMs).toBeGreaterThanOrEqual(3000);
    expect(o.giveUpMs).toBeLessThan(3100);
  });

  it("2500 ms: the timer after the SYN at 2 s is clamped to fire at 2.5 s", () => {
    const o = synGiveUp({ synRetries: 6, linearTimeouts: 4, hz: 250, userTimeoutMs: 2500 });
    expect(whole(o.syns)).toEqual([0, 1, 2]);
    expect(o.giveUpMs).toBeGreaterThanOrEqual(2500);
    expect(o.giveUpMs).toBeLessThan(2600);
  });

  it("longer than the count allows: the retransmission count ends it first", () => {
    const plain = synGiveUp({ synRetries: 1, linearTimeouts: 0, hz: 250 });
    const o = synGiveUp({ synRetries: 1, linearTimeouts: 0, hz: 250, userTimeoutMs: 60_000 });
    expect(o.by).toBe("count");
    expect(o.giveUpMs).toBe(plain.giveUpMs);
  });
});
