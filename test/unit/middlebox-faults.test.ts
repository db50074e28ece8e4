// The middlebox faults through the one prediction pipeline (what run and explain both use):
// each outcome from the idle timeout, keepalive and TCP_USER_TIMEOUT, and the hints.
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";
import { faultNamed } from "../../src/faults/index.js";
import { predictConnection, typicalFacts } from "../../src/plan/index.js";
import { timerDelayMs } from "../../src/predict/jiffies.js";
import { retransmitGiveUpMs } from "../../src/predict/retransmit.js";
import type { Workload } from "../../src/protocol.js";
import type { KernelParams, Settings } from "../../src/types.js";

const kernel: KernelParams = {
  hz: 250,
  retries2: 15,
  keepaliveTime: 7200,
  keepaliveIntvl: 75,
  keepaliveProbes: 9,
  synRetries: 6,
};

function predicted(fault: string, workload: Workload, flags: Parameters<typeof parseSettings>[0]) {
  const settings: Settings = parseSettings(flags);
  // Connected 250 ms before the fault (--pre-fault 250): the times below count from there.
  const facts = typicalFacts(workload, kernel.hz, 250);
  return predictConnection({
    fault: faultNamed(fault),
    params: { rebootAfterMs: 1000 },
    measured: {},
    watched: { id: workload, group: workload, workload, settings },
    facts,
    kernel,
  });
}

describe("lb-idle-timeout", () => {
  it("the pooled request after the timeout meets the RST in its recv; the hint names a keepalive below it", () => {
    const p = predicted("lb-idle-timeout", "pooled", {});
    // Connected 250 ms before t=0, request 3.5 s after the connect.
    expect(p).toMatchObject({ call: "recv", result: "ECONNRESET", afterMs: 3250 });
    expect(p.basis).toContain("forgot the flow at 2750 ms");
    expect(p.basis).toContain("answers the request at 3250 ms");
    expect(p.hint).toBe(
      "the middlebox forgets a flow idle for 3 s; keepalive below that keeps it alive: try --keepalive 1,1,2",
    );
  });

  it("keepalive 1 s < idle timeout 3 s: the flow never expires", () => {
    const p = predicted("lb-idle-timeout", "pooled", { keepalive: "1,1,2" });
    expect(p.result).toBeNull();
    expect(p.hint).toBe("keepalive 1 s < idle timeout 3 s: the flow never expires");
  });

  it("keepalive 5 s > 3 s: the first probe meets the RST, before a late request", () => {
    const p = predicted("lb-idle-timeout", "pooled", { keepalive: "5,1,2", requestAfter: "6.5" });
    expect(p).toMatchObject({ call: "recv", result: "ECONNRESET" });
    expect(p.afterMs).toBeCloseTo(-250 + timerDelayMs(5000, 250), 1);
    expect(p.hint).toContain("keepalive 5 s >= idle timeout 3 s");
    expect(p.hint).toContain("try --keepalive 1,1,2");
  });

  it("a longer idle timeout moves the expiry and the suggested keepalive", () => {
    const p = predicted("lb-idle-timeout", "pooled", { idleTimeout: "8", window: "20" });
    expect(p).toMatchObject({ result: "ECONNRESET", afterMs: 8250 });
    expect(p.hint).toContain("try --keepalive 4,1,2");
  });

  it("a request before the timeout goes through: nothing fails", () => {
    const p = predicted("lb-idle-timeout", "pooled", { requestAfter: "2" });
    expect(p.result).toBeNull();
  });

  it("the writer's own traffic keeps its flow; an idle socket is forgotten and never knows", () => {
    expect(predicted("lb-idle-timeout", "writer", {}).basis).toContain("own traffic");
    const idle = predicted("lb-idle-timeout", "idle", {});
    expect(idle.result).toBeNull();
    expect(idle.basis).toContain("neither end notices");
  });

  it("keepalive 5 s > 3 s: an idle socket learns at its first probe", () => {
    const p = predicted("lb-idle-timeout", "idle", { keepalive: "5,1,2" });
    expect(p).toMatchObject({ call: "recv", result: "ECONNRESET" });
    expect(p.afterMs).toBeCloseTo(-250 + timerDelayMs(5000, 250), 1);
  });
});

describe("a heartbeat through a middlebox (connected at -250 ms, idle timeout 3 s)", () => {
  it("pings more often than the idle timeout keep the flow: nothing fails", () => {
    for (const fault of ["lb-idle-timeout", "nat-idle-timeout"]) {
      const p = predicted(fault, "heartbeat", {});
      expect(p.result).toBeNull();
      expect(p.basis).toContain("own traffic");
    }
  });

  it("lb: a ping after the flow is forgotten meets the RST in the recv that waits for its pong", () => {
    // Pings at -250 and 3750; forgotten at 2750.
    const p = predicted("lb-idle-timeout", "heartbeat", { heartbeat: "4000,3" });
    expect(p).toMatchObject({ call: "recv", result: "ECONNRESET", afterMs: 3750 });
    expect(p.basis).toContain("answers the ping at 3750 ms with RST");
  });

  it("nat: the dropped ping is the first miss; DEAD N intervals later, before TCP gives up", () => {
    const p = predicted("nat-idle-timeout", "heartbeat", { heartbeat: "4000,2", window: "20" });
    expect(p).toMatchObject({ call: "heartbeat", result: "DEAD", afterMs: 3750 + 2 * 4000 });
    // typicalFacts puts a sending workload's last receipt at -50 ms: forgotten at 2950.
    expect(p.basis).toContain("the first ping after the peer falls silent (2950 ms) at 3750 ms");
  });
});

describe("nat-idle-timeout", () => {
  it("the request goes into the void: ETIMEDOUT under TCP_USER_TIMEOUT, from the first retransmission", () => {
    const p = predicted("nat-idle-timeout", "pooled", { userTimeout: "3000" });
    const rto = typicalFacts("pooled", 250, 250).rtoMs;
    const model = retransmitGiveUpMs({
      firstUnackedSendMs: 3250,
      rtoMs: rto,
      retries2: 15,
      userTimeoutMs: 3000,
      hz: 250,
    });
    expect(p).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    expect(p.afterMs).toBeCloseTo(model.atMs, 1);
    expect(p.afterMs).toBeGreaterThan(3250 + 3000);
  });

  it("keepalive below the timeout: nothing fails", () => {
    expect(predicted("nat-idle-timeout", "pooled", { keepalive: "1,1,2" }).result).toBeNull();
  });
});

describe("conntrack-flush", () => {
  it("loose off: the writer's next send is dropped and it times out", () => {
    const p = predicted("conntrack-flush", "writer", { userTimeout: "3000" });
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.basis).toContain("flushed");
  });

  it("loose on: conntrack adopts the flow mid-stream and nothing fails", () => {
    for (const w of ["writer", "pooled"] as const) {
      const p = predicted("conntrack-flush", w, { userTimeout: "3000", loose: "on" });
      expect(p.result).toBeNull();
      expect(p.basis).toContain("loose pickup");
      expect(p.hint).toContain("nothing to fix");
    }
  });
});

describe("middlebox-reset", () => {
  it.each(["idle", "writer", "pooled"] as const)("%s: recv ECONNRESET at once", (w) => {
    expect(predicted("middlebox-reset", w, {})).toMatchObject({
      call: "recv",
      result: "ECONNRESET",
      afterMs: 0,
    });
  });
});

describe("middlebox settings", () => {
  it("default: idle timeout 3 s, the request 0.5 s after it, loose off", () => {
    const s = parseSettings({});
    expect([s.idleTimeoutS, s.requestAfterMs, s.loose]).toEqual([3, 3500, false]);
    expect(parseSettings({ idleTimeout: "10" }).requestAfterMs).toBe(10_500);
    expect(parseSettings({ requestAfter: "1.25" }).requestAfterMs).toBe(1250);
  });

  it.each([
    [{ idleTimeout: "0" }, "--idle-timeout 0 is out of range"],
    [{ idleTimeout: "2.5" }, "--idle-timeout takes a whole number of seconds"],
    [{ requestAfter: "soon" }, "--request-after"],
    [{ loose: "yes" }, '--loose takes "on"'],
  ])("%o is one usage error", (flags, message) => {
    expect(() => parseSettings(flags)).toThrow(UsageError);
    expect(() => parseSettings(flags)).toThrow(message);
  });
});
