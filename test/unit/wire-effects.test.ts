// The wire effects other than a plain FIN, RST or silence: ICMP errors, heals, frozen peers,
// connect() to a dead host or to a closed port.
import { describe, expect, it } from "vitest";
import { parseSettings, type SettingFlags } from "../../src/commands/settings.js";
import { FROZEN_BASIS, frozen } from "../../src/predict/frozen.js";
import { healed, partition } from "../../src/predict/heal.js";
import { icmpUnreachable, softError } from "../../src/predict/icmp.js";
import { connectRefused, REFUSED_BASIS } from "../../src/predict/refusal.js";
import { retransmitGiveUpMs } from "../../src/predict/retransmit.js";
import { silent } from "../../src/predict/silence.js";
import type { SilentOutcome } from "../../src/predict/silent-outcome.js";
import { connectTimeout, synTimeout } from "../../src/predict/syn-timeout.js";
import { predict, type WireEffect } from "../../src/predict/wire.js";
import type { ConnectionFacts, KernelParams, Prediction } from "../../src/types.js";

const kernel: KernelParams = {
  hz: 250,
  retries2: 15,
  keepaliveTime: 7200,
  keepaliveIntvl: 75,
  keepaliveProbes: 9,
  synRetries: 6,
};

const writer: ConnectionFacts = {
  workload: "writer",
  lastRecvMs: -50,
  firstUnackedSendMs: 150,
  rtoMs: 204,
};

const idle: ConnectionFacts = {
  workload: "idle",
  lastRecvMs: -50,
  firstUnackedSendMs: null,
  rtoMs: 204,
};

const EHOST: WireEffect = icmpUnreachable("EHOSTUNREACH");
const ENET: WireEffect = icmpUnreachable("ENETUNREACH");

const run = (wire: WireEffect, flags: SettingFlags, facts: ConnectionFacts, k = kernel) =>
  predict(wire, parseSettings(flags), facts, k);

// Timeline of the writer above at HZ=250 (4 ms jiffies):
// - original send at 150 ms;
// - tail loss probe 200 ms + 2 jiffies = 52 jiffies later, level 0, +half a jiffy: 210 ms -> 360;
// - first RTO (204 ms = 51 jiffies, +half a jiffy: 206 ms) -> 566, which sets retrans_stamp.
const TLP_MS = 360;
const FIRST_RTO_MS = 566;

describe("icmp without IP_RECVERR: a soft error, reported when the timer gives up", () => {
  it("writer: the ICMP errno at the retransmission give-up (tcp_retries2=15)", () => {
    const quiet = run(silent(), {}, writer);
    const p = run(EHOST, {}, writer);
    expect(p.result).toBe("EHOSTUNREACH");
    expect(p.call).toBeNull();
    expect(p.afterMs).toBe(quiet.afterMs);
    // 924.6 s after the first RTO retransmission, and no more than one capped RTO later.
    expect(p.afterMs).toBeGreaterThanOrEqual(FIRST_RTO_MS + 924_600);
    expect(p.afterMs).toBeLessThanOrEqual(FIRST_RTO_MS + 924_600 + 121_000);
    expect(p.basis).toContain("tcp_retries2=15");
    expect(p.basis).toContain("soft error");
    expect(p.basis).toContain("EHOSTUNREACH");
  });

  it("writer: ENETUNREACH is passed through the same way", () => {
    const p = run(ENET, {}, writer);
    expect(p.result).toBe("ENETUNREACH");
    expect(p.afterMs).toBe(run(silent(), {}, writer).afterMs);
  });

  it("writer with TCP_USER_TIMEOUT 3000: the errno when the user timeout gives up", () => {
    const p = run(EHOST, { userTimeout: "3000" }, writer);
    expect(p.result).toBe("EHOSTUNREACH");
    // First RTO at 566, then 424, 832, 1648 and a clamped 98 ms: 3568.
    expect(p.afterMs).toBe(3568);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 3000 ms");
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

describe("icmp with IP_RECVERR: the answer to the tail loss probe fails the next call", () => {
  it("writer: the errno at the tail loss probe time (segments[1])", () => {
    const p = run(EHOST, { recverr: true }, writer);
    expect(p.result).toBe("EHOSTUNREACH");
    expect(p.afterMs).toBe(TLP_MS);
    expect(p.call).toBeNull();
    expect(p.basis).toContain("IP_RECVERR");
    expect(p.basis).toContain(`${TLP_MS} ms`);
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
    const p = run(ENET, { recverr: true }, writer);
    expect(p.result).toBe("ENETUNREACH");
    expect(p.afterMs).toBe(TLP_MS);
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

describe("icmpUnreachable(): direct", () => {
  const giveUp = (afterMs: number): Prediction => ({
    call: null,
    result: "ETIMEDOUT",
    afterMs,
    basis: "give-up",
  });

  it("recverr: a probe after the give-up does not count; soft error at the give-up", () => {
    const outcome: SilentOutcome = {
      giveUp: giveUp(300),
      segments: [150, 360],
      segmentName: "retransmission",
    };
    const p = softError(outcome, "EHOSTUNREACH", true);
    expect(p.result).toBe("EHOSTUNREACH");
    expect(p.afterMs).toBe(300);
    expect(p.basis).toContain("soft error");
  });

  it("recverr: no probe at all -> soft error at the give-up", () => {
    const outcome: SilentOutcome = {
      giveUp: giveUp(1000),
      segments: [150],
      segmentName: "retransmission",
    };
    expect(softError(outcome, "EHOSTUNREACH", true).afterMs).toBe(1000);
  });

  it("recverr: the probe time is rounded to 0.1 ms", () => {
    const outcome: SilentOutcome = {
      giveUp: giveUp(5000),
      segments: [150, 360.04],
      segmentName: "retransmission",
    };
    expect(softError(outcome, "EHOSTUNREACH", true).afterMs).toBe(360);
  });
});

describe("partition", () => {
  it("writer: heals (3 s) long before tcp_retries2 gives up -> never", () => {
    const p = run(partition(3000), {}, writer);
    expect(p).toMatchObject({ call: null, result: null, afterMs: null });
    expect(p.basis).toContain("heals at 3.0 s");
  });

  it("writer: TCP_USER_TIMEOUT 3000 gives up (3568 ms) before a 5 s heal -> ETIMEDOUT", () => {
    const p = run(partition(5000), { userTimeout: "3000" }, writer);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBe(3568);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 3000 ms");
    expect(p.basis).toContain("before the partition heals at 5.0 s");
  });

  it("writer: the same user timeout but a heal at 3 s, before the give-up -> never", () => {
    const p = run(partition(3000), { userTimeout: "3000" }, writer);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
  });

  it("idle with keepalive 1,1,2 (2998 ms) and a 5 s partition -> ETIMEDOUT", () => {
    const p = run(partition(5000), { keepalive: "1,1,2" }, idle);
    expect(p).toMatchObject({ call: "recv", result: "ETIMEDOUT", afterMs: 2998 });
  });

  it("idle without keepalive -> never", () => {
    const p = run(partition(5000), {}, idle);
    expect(p.result).toBeNull();
  });

  it("healed(): a give-up exactly at the heal counts as healed", () => {
    const giveUp: Prediction = { call: null, result: "ETIMEDOUT", afterMs: 3000, basis: "x" };
    expect(healed(giveUp, 3000).result).toBeNull();
    expect(healed(giveUp, 3000.1).result).toBe("ETIMEDOUT");
  });
});

describe("frozen", () => {
  it.each([
    ["writer", writer, {}],
    ["writer with user timeout", writer, { userTimeout: "3000" }],
    ["idle with keepalive", idle, { keepalive: "1,1,2" }],
  ] as const)("%s: never (the peer's kernel ACKs)", (_, facts, flags) => {
    const p = run(frozen(), flags, facts);
    expect(p).toEqual({ call: null, result: null, afterMs: null, basis: FROZEN_BASIS });
  });
});

describe("connect-timeout: SYN retransmissions until tcp_syn_retries", () => {
  it("tcp_syn_retries 1: ~3 s (1 s + 2 s, each timer rounded up)", () => {
    const p = run(connectTimeout(), { synRetries: "1" }, idle);
    expect(p.call).toBe("connect");
    expect(p.result).toBe("ETIMEDOUT");
    // 1016 + 2016
    expect(p.afterMs).toBe(3032);
    expect(p.basis).toBe("tcp_syn_retries=1: SYN retransmissions give up after 3.0 s");
  });

  it("tcp_syn_retries 2: ~7 s", () => {
    const p = run(connectTimeout(), { synRetries: "2" }, idle);
    // 1016 + 2016 + 4128 (1000 jiffies: level 2, 64-jiffy granules)
    expect(p.afterMs).toBe(7160);
    expect(p.basis).toContain("after 7.0 s");
  });

  it("tcp_syn_retries 6 (the kernel's, from KernelParams): ~127 s", () => {
    const p = run(connectTimeout(), {}, idle);
    expect(p.afterMs).toBe(129_464);
    expect(p.basis).toBe("tcp_syn_retries=6: SYN retransmissions give up after 127.0 s");
  });

  it.each([
    [1, 3000],
    [2, 7000],
    [3, 15000],
    [6, 127000],
  ])("tcp_syn_retries %i: at or after (2^(n+1) - 1) s, within 3 %% of it", (n, nominal) => {
    const p = run(connectTimeout(), { synRetries: String(n) }, idle);
    expect(p.afterMs).toBeGreaterThanOrEqual(nominal);
    expect(p.afterMs).toBeLessThanOrEqual(nominal * 1.03);
  });

  it("--syn-retries overrides the kernel's value", () => {
    const p = run(connectTimeout(), { synRetries: "1" }, idle, {
      ...kernel,
      synRetries: 6,
    });
    expect(p.afterMs).toBe(3032);
  });

  it("the kernel's tcp_syn_retries is used without --syn-retries", () => {
    const p = run(connectTimeout(), {}, idle, { ...kernel, synRetries: 2 });
    expect(p.afterMs).toBe(7160);
  });

  it("6 when neither says", () => {
    const { synRetries: _, ...noSyn } = kernel;
    const p = synTimeout(parseSettings({}), noSyn);
    expect(p.afterMs).toBe(129_464);
    expect(p.basis).toContain("tcp_syn_retries=6");
  });

  it("does not depend on the connection's facts", () => {
    expect(run(connectTimeout(), {}, writer)).toEqual(run(connectTimeout(), {}, idle));
  });
});

describe("connect-refused", () => {
  it("connect ECONNREFUSED at 0", () => {
    expect(run(connectRefused(), {}, idle)).toEqual({
      call: "connect",
      result: "ECONNREFUSED",
      afterMs: 0,
      basis: REFUSED_BASIS,
    });
    expect(run(connectRefused(), { keepalive: "1,1,2" }, writer).afterMs).toBe(0);
  });
});
