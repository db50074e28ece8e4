import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { inWorkloadTerms, type Watched } from "../../src/plan/index.js";
import { heartbeatBasis, heartbeatDead, pingTimes } from "../../src/predict/heartbeat.js";
import type { Prediction } from "../../src/types.js";

describe("heartbeatDead: pings every P ms from the connection's start", () => {
  it("connected 251 ms before the fault, 500,3: first lost ping at +249, DEAD at +1749", () => {
    const o = heartbeatDead({ startMs: -251, intervalMs: 500, misses: 3 });
    expect(o.firstUnansweredMs).toBe(249);
    expect(o.deadMs).toBe(1749);
  });

  it("a ping exactly at the fault is the first one lost", () => {
    expect(heartbeatDead({ startMs: -1000, intervalMs: 500, misses: 2 })).toEqual({
      firstUnansweredMs: 0,
      deadMs: 1000,
    });
  });

  it("a connection made after the fault: its very first ping is lost", () => {
    expect(heartbeatDead({ startMs: 120, intervalMs: 100, misses: 5 }).deadMs).toBe(620);
  });

  it("several intervals before the fault: only the phase matters", () => {
    const a = heartbeatDead({ startMs: -250, intervalMs: 100, misses: 3 });
    const b = heartbeatDead({ startMs: -50, intervalMs: 100, misses: 3 });
    expect(a).toEqual(b);
    expect(a.deadMs).toBe(350);
  });

  it("a peer that falls silent later: the first ping at or after that is the first miss", () => {
    const o = heartbeatDead({ startMs: -250, intervalMs: 500, misses: 3, silentFromMs: 2750 });
    expect(o).toEqual({ firstUnansweredMs: 2750, deadMs: 4250 });
    const late = heartbeatDead({ startMs: -250, intervalMs: 500, misses: 3, silentFromMs: 2751 });
    expect(late.firstUnansweredMs).toBe(3250);
    const text = heartbeatBasis(
      { startMs: -250, intervalMs: 500, misses: 3, silentFromMs: 2751 },
      late,
    );
    expect(text).toContain("the first ping after the peer falls silent (2751 ms) at 3250 ms");
  });

  it("a first gap shorter than the interval (no pre-fault): the beat the 50 ms default gives", () => {
    // connected 1 ms before the fault; pings at -1, +449, +949...: where -51, +449, +949 were
    const short = { startMs: -1, intervalMs: 500, firstGapMs: 450, misses: 3 };
    expect(heartbeatDead(short)).toEqual({ firstUnansweredMs: 449, deadMs: 1949 });
    expect(heartbeatDead({ startMs: -51, intervalMs: 500, misses: 3 })).toEqual({
      firstUnansweredMs: 449,
      deadMs: 1949,
    });
    expect(pingTimes(short, 1000)).toEqual([-1, 449, 949]);
    expect(heartbeatBasis(short, heartbeatDead(short))).toContain(
      "a ping, the next 450 ms later, then one every 500 ms, from the connection's start",
    );
  });

  it("a peer silent from before the connect: the first ping is lost, DEAD after the gap", () => {
    const o = heartbeatDead({ startMs: 10, intervalMs: 500, firstGapMs: 450, misses: 2 });
    expect(o).toEqual({ firstUnansweredMs: 10, deadMs: 960 });
  });

  it("the basis says what was measured and what was computed", () => {
    const input = { startMs: -251.04, intervalMs: 500, misses: 3 };
    const text = heartbeatBasis(input, heartbeatDead(input));
    expect(text).toContain("measured: connect returned at -251 ms");
    expect(text).toContain("computed: the first ping after the fault at 249 ms");
  });
});

describe("inWorkloadTerms: a heartbeat connection", () => {
  const settings = parseSettings({ heartbeat: "500,3" });
  const w = { id: "heartbeat", group: "heartbeat", workload: "heartbeat", settings } as Watched;
  const never: Prediction = { call: null, result: null, afterMs: null, basis: "never" };

  it("a silent peer: DEAD from the schedule, not from any measured ping", () => {
    const p = inWorkloadTerms(never, w, { startMs: -251 }, 0);
    expect(p).toMatchObject({ call: "heartbeat", result: "DEAD", afterMs: 1749 });
  });

  it("TCP reports sooner: TCP's answer stands", () => {
    const rst: Prediction = { call: "recv", result: "ECONNRESET", afterMs: 300, basis: "x" };
    expect(inWorkloadTerms(rst, w, { startMs: -251 }, 0)).toBe(rst);
  });

  it("FIN or RST from the peer: no heartbeat prediction", () => {
    const fin: Prediction = { call: "recv", result: "EOF", afterMs: 0, basis: "FIN" };
    expect(inWorkloadTerms(fin, w, { startMs: -251 }, null)).toBe(fin);
  });

  it("no connection start known: no heartbeat prediction", () => {
    expect(inWorkloadTerms(never, w, { startMs: null }, 0)).toBe(never);
  });
});

describe("inWorkloadTerms: poll and tcp-info connections", () => {
  const settings = parseSettings({});
  const as = (workload: string) =>
    ({ id: workload, group: workload, workload, settings }) as Watched;
  const refused: Prediction = { call: "connect", result: "ECONNREFUSED", afterMs: 0, basis: "RST" };
  const rst: Prediction = { call: "recv", result: "ECONNRESET", afterMs: 0, basis: "RST" };

  it("a connect that fails is the answer: no poll or TCP_INFO read comes after it", () => {
    expect(inWorkloadTerms(refused, as("poll"), { startMs: null }, null)).toEqual(refused);
    expect(inWorkloadTerms(refused, as("tcp-info"), { startMs: null }, null)).toEqual(refused);
  });

  it("on an established connection, poll shows the bits and tcp-info the state", () => {
    expect(inWorkloadTerms(rst, as("poll"), { startMs: -50 }, null)).toMatchObject({
      call: "poll",
      result: "POLLIN|POLLRDHUP|POLLHUP|POLLERR",
    });
    expect(inWorkloadTerms(rst, as("tcp-info"), { startMs: -50 }, null)).toMatchObject({
      call: "tcp_info",
      result: "CLOSE",
    });
  });
});
