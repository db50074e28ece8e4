import { describe, expect, it } from "vitest";
import {
  keepaliveGiveUpMs,
  keepaliveProbeTimesMs,
  predict,
  retransmitGiveUpMs,
  retries2TimeoutMs,
  timerDelayMs,
  timerMaxDelayMs,
  undetectedHint,
} from "../../src/predict/index.js";
import type { ConnectionFacts, KernelParams, Settings } from "../../src/types.js";

const kernel: KernelParams = {
  hz: 250,
  retries2: 15,
  keepaliveTime: 7200,
  keepaliveIntvl: 75,
  keepaliveProbes: 9,
};

const settings: Settings = {
  keepalive: null,
  userTimeoutMs: null,
  retries2: null,
  windowS: 30,
  ignoreSigterm: false,
  graceMs: 0,
};

const idle: ConnectionFacts = {
  workload: "idle",
  lastRecvMs: -100,
  firstUnackedSendMs: null,
  rtoMs: 204,
};

const writer: ConnectionFacts = {
  workload: "writer",
  lastRecvMs: -5,
  firstUnackedSendMs: 10,
  rtoMs: 200,
};

const ka112 = { idle: 1, interval: 1, count: 2 };

describe("timerDelayMs", () => {
  it("a 1 s timer at HZ=250 lands in level 1 (8-jiffy granules): ~1016 ms, at most 1032", () => {
    const d = timerDelayMs(1000, 250);
    expect(d).toBeGreaterThan(1000);
    expect(d).toBeLessThanOrEqual(1032);
    expect(d).toBe(1016);
    expect(timerMaxDelayMs(1000, 250)).toBe(1032);
  });

  it("switches from level 0 to level 1 at 63 jiffies", () => {
    // 62 jiffies: level 0, granule 1 jiffy (4 ms) -> +2 ms on average.
    expect(timerDelayMs(248, 250)).toBe(250);
    // 63 jiffies: level 1, granule 8 jiffies (32 ms) -> +16 ms on average.
    expect(timerDelayMs(252, 250)).toBe(268);
  });

  it("rounds the delay up to whole jiffies (msecs_to_jiffies)", () => {
    expect(timerDelayMs(1, 250)).toBe(6); // 1 jiffy = 4 ms, + half a jiffy
    expect(timerDelayMs(1000, 100)).toBe(1040); // 100 jiffies, level 1, 80 ms granules
  });

  it("uses coarser levels for longer timers", () => {
    // HZ=1000: 1000 jiffies is level 2 (64 ms granules).
    expect(timerDelayMs(1000, 1000)).toBe(1032);
    // 120 s at HZ=250 = 30000 jiffies, level 3 (512 jiffies = 2048 ms granules).
    expect(timerDelayMs(120_000, 250)).toBe(121_024);
  });
});

describe("retries2TimeoutMs (tcp_model_timeout)", () => {
  it("matches the documented figures", () => {
    expect(retries2TimeoutMs(15)).toBe(924_600);
    expect(retries2TimeoutMs(5)).toBe(12_600);
  });

  it("is exponential up to ilog2(120000/200) = 9, then linear in 120 s steps", () => {
    expect(retries2TimeoutMs(0)).toBe(200);
    expect(retries2TimeoutMs(9)).toBe(204_600);
    expect(retries2TimeoutMs(10)).toBe(324_600);
    expect(retries2TimeoutMs(3, 1000, 120_000)).toBe(15_000);
  });
});

describe("retransmitGiveUpMs", () => {
  const base = { firstUnackedSendMs: 0, rtoMs: 200, userTimeoutMs: null, hz: 250 };

  it("tcp_retries2=15 gives up just after 924.6 s, after 15 retransmissions", () => {
    const r = retransmitGiveUpMs({ ...base, retries2: 15 });
    expect(r.retransmissions).toHaveLength(15);
    expect(r.atMs).toBeGreaterThanOrEqual(924_600);
    expect(r.atMs).toBeLessThan(924_600 + 16 * 2048); // each timer at most one granule late
    expect(r.retransmissions.at(-1)).toBeLessThan(924_600);
  });

  it("doubles the RTO up to 120 s", () => {
    const { retransmissions: t } = retransmitGiveUpMs({ ...base, retries2: 15 });
    expect(t[0]).toBeGreaterThanOrEqual(200);
    expect(t[0]).toBeLessThan(210);
    const gaps = t.slice(1).map((x, i) => x - t[i]);
    expect(gaps[0]).toBeGreaterThanOrEqual(400);
    expect(gaps[0]).toBeLessThan(450);
    expect(gaps[8]).toBeGreaterThanOrEqual(102_400);
    expect(gaps[8]).toBeLessThan(102_400 + 2048);
    for (const g of gaps.slice(9)) {
      expect(g).toBeGreaterThanOrEqual(120_000);
      expect(g).toBeLessThan(122_048);
    }
  });

  it("tcp_retries2=5 gives up at ~12.6 s from the first unacknowledged send", () => {
    const r = retransmitGiveUpMs({ ...base, firstUnackedSendMs: 10, retries2: 5 });
    expect(r.retransmissions).toHaveLength(5);
    expect(r.atMs).toBeGreaterThanOrEqual(10 + 12_600);
    expect(r.atMs).toBeLessThan(10 + 13_600);
  });

  it("TCP_USER_TIMEOUT replaces tcp_retries2 and clamps the last RTO to it", () => {
    const r = retransmitGiveUpMs({
      ...base,
      firstUnackedSendMs: 10,
      retries2: 15,
      userTimeoutMs: 2000,
    });
    // Unclamped, the 4th timer (RTO 1600 ms after ~1444 ms) would fire at ~3060 ms.
    expect(r.atMs).toBeGreaterThanOrEqual(10 + 2000);
    expect(r.atMs).toBeLessThan(10 + 2040);
    expect(r.retransmissions).toHaveLength(3);
  });

  it("never gives up on the first firing, even past a tiny user timeout", () => {
    const r = retransmitGiveUpMs({ ...base, retries2: 15, userTimeoutMs: 100 });
    expect(r.retransmissions).toEqual([202]);
    expect(r.atMs).toBe(208); // re-armed for 1 jiffy: the user timeout has already run out
  });
});

describe("keepalive", () => {
  const opts = { lastRecvMs: -100, ...ka112, userTimeoutMs: null, hz: 250 };

  it("1,1,2 from last activity at -100 ms gives up between 2.9 and 3.0 s", () => {
    const t = keepaliveGiveUpMs(opts);
    expect(t).toBeGreaterThan(2900);
    expect(t).toBeLessThan(3000);
    expect(keepaliveProbeTimesMs(opts)).toEqual([916, 1932]);
  });

  it("counts from the last activity, not from the fault", () => {
    expect(keepaliveGiveUpMs({ ...opts, lastRecvMs: -2000 })).toBeCloseTo(1048, 6);
  });

  it("TCP_USER_TIMEOUT overrides the probe count", () => {
    // Longer than idle + 2 x interval: keeps probing past the count of 2.
    const long = { ...opts, userTimeoutMs: 5000 };
    expect(keepaliveGiveUpMs(long)).toBeGreaterThanOrEqual(-100 + 5000);
    expect(keepaliveGiveUpMs(long)).toBeLessThan(-100 + 5000 + 1032);
    expect(keepaliveProbeTimesMs(long)).toHaveLength(4);
    // Shorter than idle: still waits for one unanswered probe, then gives up.
    const short = { ...opts, userTimeoutMs: 500 };
    expect(keepaliveProbeTimesMs(short)).toEqual([916]);
    expect(keepaliveGiveUpMs(short)).toBe(1932);
  });

  it("with the kernel defaults (7200, 75, 9) takes over two hours", () => {
    const t = keepaliveGiveUpMs({ ...opts, idle: 7200, interval: 75, count: 9 });
    expect(t).toBeGreaterThan(7_875_000);
    expect(t).toBeLessThan(7_875_000 + 10 * 16_384);
  });
});

describe("predict", () => {
  it("FIN: recv returns EOF when it arrives", () => {
    expect(predict({ kind: "fin", atMs: 1.26 }, settings, idle, kernel)).toEqual({
      call: "recv",
      result: "EOF",
      afterMs: 1.3,
      basis: "FIN from the peer",
    });
  });

  it("RST: recv fails with ECONNRESET", () => {
    const p = predict({ kind: "rst", atMs: 2 }, settings, writer, kernel);
    expect(p).toEqual({
      call: "recv",
      result: "ECONNRESET",
      afterMs: 2,
      basis: "RST from the peer",
    });
  });

  it("silent idle socket without keepalive: never", () => {
    const p = predict({ kind: "silent" }, { ...settings, userTimeoutMs: 3000 }, idle, kernel);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
    expect(p.basis).toBe(
      "an idle socket without keepalive sends nothing, so the kernel never notices",
    );
  });

  it("silent idle socket with keepalive 1,1,2: ETIMEDOUT at ~2.95 s", () => {
    const p = predict({ kind: "silent" }, { ...settings, keepalive: ka112 }, idle, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThan(2900);
    expect(p.afterMs).toBeLessThan(3000);
    expect(p.basis).toBe("keepalive 1 s + 2 x 1 s from last activity");
  });

  it("keepalive with a user timeout says the timeout overrides the count", () => {
    const s = { ...settings, keepalive: ka112, userTimeoutMs: 5000 };
    const p = predict({ kind: "silent" }, s, idle, kernel);
    expect(p.afterMs).toBeGreaterThanOrEqual(4900);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 5000 ms");
    expect(p.basis).toContain("overrides the count of 2");
  });

  it("silent writer: retransmissions give up after tcp_retries2 (the lab default)", () => {
    const p = predict({ kind: "silent" }, settings, writer, kernel);
    expect(p.call).toBeNull();
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThan(10 + 924_600);
    expect(p.basis).toBe("tcp_retries2=15: retransmissions give up after 924.6 s");
  });

  it("silent writer: settings.retries2 wins over the kernel's, and keepalive plays no part", () => {
    const s = { ...settings, retries2: 5, keepalive: ka112 };
    const p = predict({ kind: "silent" }, s, writer, kernel);
    expect(p.afterMs).toBeGreaterThan(10 + 12_600);
    expect(p.afterMs).toBeLessThan(10 + 13_600);
    expect(p.basis).toBe("tcp_retries2=5: retransmissions give up after 12.6 s");
  });

  it("silent writer with TCP_USER_TIMEOUT 3000", () => {
    const p = predict({ kind: "silent" }, { ...settings, userTimeoutMs: 3000 }, writer, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThanOrEqual(3010);
    expect(p.afterMs).toBeLessThan(3050);
    expect(p.basis).toBe("TCP_USER_TIMEOUT 3000 ms from the first unacknowledged send");
  });

  it("rounds afterMs to 0.1 ms", () => {
    const facts = { ...idle, lastRecvMs: -100.123 };
    const p = predict({ kind: "silent" }, { ...settings, keepalive: ka112 }, facts, kernel);
    expect(p.afterMs).toBe(2947.9); // 3 x 1016 ms - 100.123 ms = 2947.877 ms
    expect(predict({ kind: "fin", atMs: 0.04 }, settings, idle, kernel).afterMs).toBe(0);
  });

  it("silent-then-rst writer: the first retransmission after the reboot meets a RST", () => {
    const wire = { kind: "silent-then-rst", rebootAtMs: 5000 } as const;
    const p = predict(wire, settings, writer, kernel);
    const { retransmissions } = retransmitGiveUpMs({
      firstUnackedSendMs: 10,
      rtoMs: 200,
      retries2: 15,
      userTimeoutMs: null,
      hz: 250,
    });
    const before = retransmissions.filter((t) => t < 5000);
    expect(before.length).toBe(4); // ~0.2, 0.6, 1.4 and 3.1 s go unanswered
    expect(p.result).toBe("ECONNRESET");
    expect(p.afterMs).toBe(Math.round(retransmissions[4] * 10) / 10);
    expect(p.afterMs).toBeGreaterThan(6000);
    expect(p.afterMs).toBeLessThan(6500);
    expect(p.basis).toContain("rebooted host");
  });

  it("silent-then-rst writer: a user timeout that runs out first still gives ETIMEDOUT", () => {
    const s = { ...settings, userTimeoutMs: 3000 };
    const p = predict({ kind: "silent-then-rst", rebootAtMs: 10_000 }, s, writer, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeLessThan(3050);
  });

  it("silent-then-rst idle with keepalive: the first probe after the reboot meets a RST", () => {
    const s = { ...settings, keepalive: { idle: 1, interval: 1, count: 5 } };
    const p = predict({ kind: "silent-then-rst", rebootAtMs: 2500 }, s, idle, kernel);
    expect(p.result).toBe("ECONNRESET");
    expect(p.afterMs).toBe(2948); // probes at 916, 1932, 2948
    const late = predict({ kind: "silent-then-rst", rebootAtMs: 60_000 }, s, idle, kernel);
    expect(late.result).toBe("ETIMEDOUT");
  });

  it("silent-then-rst idle without keepalive: never", () => {
    const p = predict({ kind: "silent-then-rst", rebootAtMs: 1000 }, settings, idle, kernel);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
  });
});

describe("undetectedHint", () => {
  it("is null when the prediction falls inside the window", () => {
    const p = predict({ kind: "silent" }, { ...settings, keepalive: ka112 }, idle, kernel);
    expect(undetectedHint(p, settings, 30)).toBeNull();
    expect(undetectedHint(p, settings, 2)).not.toBeNull();
  });

  it("names tcp_retries2 and suggests a user timeout for a writer", () => {
    const p = predict({ kind: "silent" }, settings, writer, kernel);
    const hint = undetectedHint(p, settings, 30);
    expect(hint).toMatch(/^the kernel gives up after ~93\d\.\d s with tcp_retries2=15; /);
    expect(hint).toContain("try --user-timeout 3000");
  });

  it("suggests keepalive for an idle socket that never notices", () => {
    const p = predict({ kind: "silent" }, settings, idle, kernel);
    expect(undetectedHint(p, settings, 30)).toBe(
      "an idle socket without keepalive never notices; try --keepalive 1,1,2",
    );
  });

  it("suggests a shorter keepalive when the configured one is too slow", () => {
    const s = { ...settings, keepalive: { idle: 60, interval: 10, count: 3 } };
    const p = predict({ kind: "silent" }, s, idle, kernel);
    expect(undetectedHint(p, s, 30)).toContain("--keepalive 1,1,2");
  });
});
