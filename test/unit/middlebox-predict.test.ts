import { describe, expect, it } from "vitest";
import { timerDelayMs } from "../../src/predict/jiffies.js";
import {
  type MiddleboxInput,
  predictMiddlebox,
  suggestedKeepaliveIdleS,
} from "../../src/predict/middlebox.js";
import { retransmitGiveUpMs } from "../../src/predict/retransmit.js";

const base: MiddleboxInput = {
  answer: "rst",
  idleTimeoutS: 3,
  flushAtMs: null,
  lastActivityMs: 0,
  sendsMs: [4000],
  keepalive: null,
  userTimeoutMs: null,
  retries2: 15,
  rtoMs: 204,
  hz: 250,
};
const ka = (idle: number) => ({ idle, interval: 1, count: 2 });
const every = (ms: number, until: number) =>
  Array.from({ length: Math.floor(until / ms) }, (_, i) => (i + 1) * ms);

describe("predictMiddlebox: load balancer (RST)", () => {
  it("the first request after the idle timeout meets a RST at once", () => {
    const out = predictMiddlebox(base);
    expect(out.forgottenAtMs).toBe(3000);
    expect(out.firstSegment).toEqual({ kind: "data", atMs: 4000 });
    expect(out.prediction).toMatchObject({ result: "ECONNRESET", afterMs: 4000 });
    expect(out.hint).toContain("try --keepalive 1,1,2");
  });

  it("keepalive below the idle timeout: the flow never expires", () => {
    const out = predictMiddlebox({ ...base, keepalive: ka(1) });
    expect(out.prediction.result).toBeNull();
    expect(out.forgottenAtMs).toBeNull();
    expect(out.hint).toBe("keepalive 1 s < idle timeout 3 s: the flow never expires");
  });

  it("keepalive above the idle timeout: its first probe meets the RST, before the request", () => {
    const out = predictMiddlebox({ ...base, keepalive: ka(5), sendsMs: [6500] });
    const probe = timerDelayMs(5000, 250);
    expect(out.firstSegment?.kind).toBe("keepalive probe");
    expect(out.prediction).toMatchObject({ call: "recv", result: "ECONNRESET" });
    expect(out.prediction.afterMs).toBeCloseTo(probe, 1);
    expect(out.hint).toContain("keepalive 5 s >= idle timeout 3 s");
  });

  it("a request before the timeout refreshes the flow; an idle one after it notices nothing", () => {
    const out = predictMiddlebox({ ...base, sendsMs: [2000] });
    expect(out.forgottenAtMs).toBe(5000);
    expect(out.prediction.result).toBeNull();
    expect(out.prediction.basis).toContain("nothing is sent after 2000 ms");
  });

  it("an idle socket without keepalive is forgotten and never notices", () => {
    const out = predictMiddlebox({ ...base, sendsMs: [] });
    expect(out.forgottenAtMs).toBe(3000);
    expect(out.prediction.afterMs).toBeNull();
    expect(out.hint).toContain("--keepalive 1,1,2");
  });

  it("a writer that sends more often than the timeout keeps its flow", () => {
    const out = predictMiddlebox({ ...base, sendsMs: every(200, 10_000), flushAtMs: null });
    // After the last send the flow is forgotten, but nothing is sent any more.
    expect(out.prediction.result).toBeNull();
    expect(out.forgottenAtMs).toBe(13_000);
  });
});

describe("predictMiddlebox: NAT (silent drop)", () => {
  it("the request is retransmitted into the void until TCP_USER_TIMEOUT", () => {
    const out = predictMiddlebox({ ...base, answer: "drop", userTimeoutMs: 3000 });
    const model = retransmitGiveUpMs({
      firstUnackedSendMs: 4000,
      rtoMs: 204,
      retries2: 15,
      userTimeoutMs: 3000,
      hz: 250,
    });
    expect(out.prediction.result).toBe("ETIMEDOUT");
    expect(out.prediction.afterMs).toBeCloseTo(model.atMs, 1);
    // The user timeout counts from the first retransmission, not from the request.
    expect(out.prediction.afterMs).toBeGreaterThan(7000 + 200);
    expect(out.prediction.basis).toContain("drops the data at 4000 ms");
  });

  it("without a user timeout the hint points at keepalive for the idle period", () => {
    const out = predictMiddlebox({ ...base, answer: "drop" });
    expect(out.prediction.afterMs).toBeGreaterThan(900_000);
    expect(out.hint).toContain("--keepalive 1,1,2");
  });

  it("unanswered keepalive probes after the expiry give up as keepalive does", () => {
    const out = predictMiddlebox({ ...base, answer: "drop", keepalive: ka(5), sendsMs: [] });
    expect(out.firstSegment?.kind).toBe("keepalive probe");
    expect(out.prediction).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    expect(out.prediction.afterMs).toBeGreaterThan(7000);
  });
});

describe("predictMiddlebox: table flush", () => {
  const writer = { ...base, idleTimeoutS: 600, flushAtMs: 3000, sendsMs: every(200, 10_000) };

  it("loose pickup off: the writer's next segment is dropped and it times out", () => {
    const out = predictMiddlebox({ ...writer, answer: "drop", userTimeoutMs: 3000 });
    expect(out.forgottenAtMs).toBe(3000);
    expect(out.firstSegment).toEqual({ kind: "data", atMs: 3000 });
    expect(out.prediction.result).toBe("ETIMEDOUT");
    expect(out.prediction.basis).toContain("flushed");
  });

  it("loose pickup on: conntrack adopts the flow mid-stream and nothing fails", () => {
    const out = predictMiddlebox({ ...writer, answer: "pickup" });
    expect(out.prediction.result).toBeNull();
    expect(out.prediction.basis).toContain("loose pickup");
  });

  it("an idle connection sees nothing of a flush", () => {
    const out = predictMiddlebox({ ...writer, answer: "drop", sendsMs: [] });
    expect(out.prediction.result).toBeNull();
  });
});

describe("suggestedKeepaliveIdleS", () => {
  it("half the idle timeout, at least 1 s", () => {
    expect(suggestedKeepaliveIdleS(3)).toBe(1);
    expect(suggestedKeepaliveIdleS(1)).toBe(1);
    expect(suggestedKeepaliveIdleS(350)).toBe(175);
  });
});
