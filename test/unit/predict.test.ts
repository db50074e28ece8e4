import { describe, expect, it } from "vitest";
import {
  fin,
  keepaliveGiveUpMs,
  keepaliveProbeTimesMs,
  predict,
  retransmitGiveUpMs,
  retries2TimeoutMs,
  rst,
  silent,
  silentThenRst,
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

  it("reproduces the lab measurement (HZ=250, rto 204 ms, TCP_USER_TIMEOUT 3000) within 40 ms", () => {
    const r = retransmitGiveUpMs({
      firstUnackedSendMs: 150.6,
      rtoMs: 204,
      retries2: 15,
      userTimeoutMs: 3000,
      hz: 250,
    });
    // Measured on the 6.18 kernel: probe, then 4 RTO retransmissions, then ETIMEDOUT.
    const measured = [359, 568, 1002, 1833, 3499];
    expect(r.retransmissions).toHaveLength(measured.length);
    r.retransmissions.forEach((t, i) => {
      expect(Math.abs(t - measured[i])).toBeLessThanOrEqual(40);
    });
    expect(Math.abs(r.atMs - 3570)).toBeLessThanOrEqual(40);
  });

  it("waits 2 x the measured SRTT more for the tail loss probe on a real path", () => {
    const lab = retransmitGiveUpMs({ ...base, retries2: 15 });
    const wan = retransmitGiveUpMs({ ...base, retries2: 15, srttMs: 40 });
    const delay = wan.retransmissions[0] - lab.retransmissions[0];
    // 2 x 40 ms, give or take the timer wheel's rounding (8 jiffies = 32 ms at level 1)
    expect(delay).toBeGreaterThanOrEqual(80 - 4);
    expect(delay).toBeLessThanOrEqual(80 + 36);
  });

  it("sends a tail loss probe TCP_RTO_MIN + 2 jiffies after the first unacked send", () => {
    const r = retransmitGiveUpMs({ ...base, firstUnackedSendMs: 100, retries2: 15 });
    // 200 ms + 8 ms = 52 jiffies at HZ=250, level 0: ~210 ms.
    expect(r.retransmissions[0]).toBe(100 + 210);
    // HZ=1000: 202 jiffies, level 1 (8-jiffy granules): ~206 ms.
    const r1000 = retransmitGiveUpMs({ ...base, hz: 1000, retries2: 15 });
    expect(r1000.retransmissions[0]).toBe(206);
  });

  it("fires the first RTO retransmission one RTO after the probe", () => {
    const r = retransmitGiveUpMs({ ...base, rtoMs: 204, retries2: 15 });
    const [probe, first] = r.retransmissions;
    expect(first - probe).toBe(timerDelayMs(204, 250));
    // A missing RTO (0) falls back to TCP_RTO_MIN.
    const r0 = retransmitGiveUpMs({ ...base, rtoMs: 0, retries2: 15 });
    expect(r0.retransmissions[1] - r0.retransmissions[0]).toBe(timerDelayMs(200, 250));
  });

  it("tcp_retries2=15 gives up a bit after 924.6 s from the first retransmission", () => {
    const r = retransmitGiveUpMs({ ...base, retries2: 15 });
    // The probe, then 15 RTO retransmissions.
    expect(r.retransmissions).toHaveLength(16);
    const stamp = r.retransmissions[1];
    expect(r.atMs - stamp).toBeGreaterThanOrEqual(924_600);
    expect(r.atMs - stamp).toBeLessThan(924_600 + 15 * 2048); // each timer at most a granule late
    expect((r.retransmissions.at(-1) ?? 0) - stamp).toBeLessThan(924_600);
    // Counted from the original send, it gives up well after 924.6 s.
    expect(r.atMs).toBeGreaterThan(924_600 + stamp);
  });

  it("doubles the RTO up to 120 s", () => {
    const { retransmissions } = retransmitGiveUpMs({ ...base, retries2: 15 });
    const t = retransmissions.slice(1); // RTO retransmissions, without the probe
    expect(t[0] - retransmissions[0]).toBeGreaterThanOrEqual(200);
    expect(t[0] - retransmissions[0]).toBeLessThan(210);
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

  it("tcp_retries2=5 with the first send at +100 ms gives up between 13.0 and 14.0 s", () => {
    const r = retransmitGiveUpMs({ ...base, firstUnackedSendMs: 100, retries2: 5 });
    expect(r.atMs).toBeGreaterThanOrEqual(13_000);
    expect(r.atMs).toBeLessThanOrEqual(14_000);
    // 12.6 s (tcp_model_timeout) after the first RTO retransmission, not after the send.
    expect(r.retransmissions).toHaveLength(6); // the probe + 5 RTO retransmissions
    expect(r.atMs - r.retransmissions[1]).toBeGreaterThanOrEqual(12_600);
    expect((r.retransmissions.at(-1) ?? 0) - r.retransmissions[1]).toBeLessThan(12_600);
  });

  it("TCP_USER_TIMEOUT replaces tcp_retries2 and clamps the last RTO to it", () => {
    const r = retransmitGiveUpMs({
      ...base,
      firstUnackedSendMs: 10,
      retries2: 15,
      userTimeoutMs: 2000,
    });
    // The probe at ~220 ms, then RTO retransmissions at ~422, ~838 and ~1654 ms.
    expect(r.retransmissions).toHaveLength(4);
    const stamp = r.retransmissions[1];
    // Unclamped, the next timer (RTO 1600 ms after ~1654 ms) would fire at ~3270 ms.
    expect(r.atMs).toBeGreaterThanOrEqual(stamp + 2000);
    expect(r.atMs).toBeLessThan(stamp + 2040);
  });

  it("never gives up before the first RTO retransmission, even with a tiny user timeout", () => {
    const r = retransmitGiveUpMs({ ...base, retries2: 15, userTimeoutMs: 100 });
    expect(r.retransmissions).toEqual([210, 412]); // probe, first RTO retransmission
    expect(r.atMs).toBe(514); // re-armed for the 100 ms left (25 jiffies, + half a jiffy)
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
    expect(predict(fin(1.26), settings, idle, kernel)).toEqual({
      call: "recv",
      result: "EOF",
      afterMs: 1.3,
      basis: "FIN from the peer",
    });
  });

  it("RST: recv fails with ECONNRESET", () => {
    const p = predict(rst(2), settings, writer, kernel);
    expect(p).toEqual({
      call: "recv",
      result: "ECONNRESET",
      afterMs: 2,
      basis: "RST from the peer",
    });
  });

  it("silent idle socket without keepalive: never", () => {
    const p = predict(silent(), { ...settings, userTimeoutMs: 3000 }, idle, kernel);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
    expect(p.basis).toBe(
      "an idle socket without keepalive sends nothing, so the kernel never notices",
    );
  });

  it("silent idle socket with keepalive 1,1,2: ETIMEDOUT at ~2.95 s", () => {
    const p = predict(silent(), { ...settings, keepalive: ka112 }, idle, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThan(2900);
    expect(p.afterMs).toBeLessThan(3000);
    expect(p.basis).toBe("keepalive 1 s + 2 x 1 s from last activity");
  });

  it("keepalive with a user timeout says the timeout overrides the count", () => {
    const s = { ...settings, keepalive: ka112, userTimeoutMs: 5000 };
    const p = predict(silent(), s, idle, kernel);
    expect(p.afterMs).toBeGreaterThanOrEqual(4900);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 5000 ms");
    expect(p.basis).toContain("overrides the count of 2");
  });

  it("silent writer: retransmissions give up after tcp_retries2 (the lab default)", () => {
    const p = predict(silent(), settings, writer, kernel);
    expect(p.call).toBeNull();
    expect(p.result).toBe("ETIMEDOUT");
    // The first RTO retransmission goes out at ~422 ms (probe at ~220 ms).
    expect(p.afterMs).toBeGreaterThan(422 + 924_600);
    expect(p.afterMs).toBeLessThan(422 + 924_600 + 15 * 2048);
    expect(p.basis).toBe("tcp_retries2=15: retransmissions give up 924.6 s after the first one");
  });

  it("silent writer: settings.retries2 wins over the kernel's, and keepalive plays no part", () => {
    const s = { ...settings, retries2: 5, keepalive: ka112 };
    const p = predict(silent(), s, writer, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThan(422 + 12_600);
    expect(p.afterMs).toBeLessThan(14_000);
    expect(p.basis).toBe("tcp_retries2=5: retransmissions give up 12.6 s after the first one");
  });

  it("silent writer with TCP_USER_TIMEOUT 3000", () => {
    const p = predict(silent(), { ...settings, userTimeoutMs: 3000 }, writer, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    // 3000 ms from the first RTO retransmission at ~422 ms, not from the send at 10 ms.
    expect(p.afterMs).toBeGreaterThanOrEqual(422 + 3000);
    expect(p.afterMs).toBeLessThan(422 + 3040);
    expect(p.basis).toBe("TCP_USER_TIMEOUT 3000 ms from the first retransmission");
  });

  it("rounds afterMs to 0.1 ms", () => {
    const facts = { ...idle, lastRecvMs: -100.123 };
    const p = predict(silent(), { ...settings, keepalive: ka112 }, facts, kernel);
    expect(p.afterMs).toBe(2947.9); // 3 x 1016 ms - 100.123 ms = 2947.877 ms
    expect(predict(fin(0.04), settings, idle, kernel).afterMs).toBe(0);
  });

  it("silent-then-rst writer: the first retransmission after the reboot meets a RST", () => {
    const wire = silentThenRst(5000);
    const p = predict(wire, settings, writer, kernel);
    const { retransmissions } = retransmitGiveUpMs({
      firstUnackedSendMs: 10,
      rtoMs: 200,
      retries2: 15,
      userTimeoutMs: null,
      hz: 250,
    });
    const before = retransmissions.filter((t) => t < 5000);
    expect(before.length).toBe(5); // the probe at ~0.2 s, then ~0.4, 0.8, 1.7 and 3.3 s
    expect(p.result).toBe("ECONNRESET");
    expect(p.afterMs).toBe(Math.round(retransmissions[5] * 10) / 10);
    expect(p.afterMs).toBeGreaterThan(6500);
    expect(p.afterMs).toBeLessThan(6700);
    expect(p.basis).toContain("rebooted host");
  });

  it("silent-then-rst writer: the original send or the probe can meet the RST too", () => {
    const rst = (rebootAtMs: number) =>
      predict(silentThenRst(rebootAtMs), settings, writer, kernel);
    // Rebooted before the original send at 10 ms: that send meets the RST itself.
    expect(rst(5)).toMatchObject({ result: "ECONNRESET", afterMs: 10 });
    expect(rst(10)).toMatchObject({ result: "ECONNRESET", afterMs: 10 });
    // Between the send and the probe at ~220 ms: the probe meets it.
    expect(rst(100)).toMatchObject({ result: "ECONNRESET", afterMs: 220 });
    // Between the probe and the first RTO retransmission at ~422 ms.
    expect(rst(300)).toMatchObject({ result: "ECONNRESET", afterMs: 422 });
  });

  it("silent-then-rst writer: a user timeout that runs out first still gives ETIMEDOUT", () => {
    const s = { ...settings, userTimeoutMs: 3000 };
    const p = predict(silentThenRst(10_000), s, writer, kernel);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBeGreaterThanOrEqual(422 + 3000);
    expect(p.afterMs).toBeLessThan(422 + 3040);
    expect(p.basis).toBe(
      "TCP_USER_TIMEOUT 3000 ms from the first retransmission, " +
        "before anything reaches the host back at 10000 ms",
    );
  });

  it("silent-then-rst idle with keepalive: the first probe after the reboot meets a RST", () => {
    const s = { ...settings, keepalive: { idle: 1, interval: 1, count: 5 } };
    const p = predict(silentThenRst(2500), s, idle, kernel);
    expect(p.result).toBe("ECONNRESET");
    expect(p.afterMs).toBe(2948); // probes at 916, 1932, 2948
    const late = predict(silentThenRst(60_000), s, idle, kernel);
    expect(late.result).toBe("ETIMEDOUT");
  });

  it("silent-then-rst idle without keepalive: never", () => {
    const p = predict(silentThenRst(1000), settings, idle, kernel);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
  });
});

describe("undetectedHint", () => {
  it("is null when the prediction falls inside the window", () => {
    const p = predict(silent(), { ...settings, keepalive: ka112 }, idle, kernel);
    expect(undetectedHint(p, settings, 30)).toBeNull();
    expect(undetectedHint(p, settings, 2)).not.toBeNull();
  });

  it("names tcp_retries2 and suggests a user timeout for a writer", () => {
    const p = predict(silent(), settings, writer, kernel);
    const hint = undetectedHint(p, settings, 30);
    expect(hint).toMatch(/^the kernel gives up after ~93\d\.\d s with tcp_retries2=15; /);
    expect(hint).toContain("try --user-timeout 3000");
  });

  it("with a user timeout, suggests a smaller one, or a longer window if it is small", () => {
    const big = { ...settings, userTimeoutMs: 60_000 };
    const slow = predict(silent(), big, writer, kernel);
    expect(undetectedHint(slow, big, 30)).toMatch(
      /^the kernel gives up after ~60\.\d s with TCP_USER_TIMEOUT 60000 ms; try a smaller one such as --user-timeout 3000$/,
    );
    // 3000 ms from the first retransmission at ~422 ms: ~3.4 s, beyond a 3 s window.
    const small = { ...settings, userTimeoutMs: 3000, windowS: 3 };
    const p = predict(silent(), small, writer, kernel);
    expect(undetectedHint(p, small, 30)).toBeNull();
    expect(undetectedHint(p, small, 3)).toBe(
      "the kernel gives up after ~3.4 s with TCP_USER_TIMEOUT 3000 ms " +
        "(counted from the first retransmission); try a longer --window",
    );
  });

  it("suggests keepalive for an idle socket that never notices", () => {
    const p = predict(silent(), settings, idle, kernel);
    expect(undetectedHint(p, settings, 30)).toBe(
      "an idle socket without keepalive never notices; try --keepalive 1,1,2",
    );
  });

  it("suggests a shorter keepalive when the configured one is too slow", () => {
    const s = { ...settings, keepalive: { idle: 60, interval: 10, count: 3 } };
    const p = predict(silent(), s, idle, kernel);
    expect(undetectedHint(p, s, 30)).toContain("--keepalive 1,1,2");
  });
});
