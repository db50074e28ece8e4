// An application heartbeat through a stateful middlebox (idle timeout 1 s here): pings every
// 500 ms keep the flow, so nothing fails; pings 1.5 s apart (the first gap 1.45 s: the beat
// kept against the fault, plan/timing.ts) leave it idle long enough to be
// forgotten, and the next ping meets the load balancer's RST (its recv fails ECONNRESET) or
// the NAT's void (unanswered: DEAD two intervals later). Each run also checks its own
// prediction: exit code 0 means every expectation held.
import { describe, expect, it } from "vitest";
import { connection, runJson } from "./helpers.js";
import { canRun, connectedAt, within } from "./middlebox-helpers.js";

const slow = ["--detect", "heartbeat", "--idle-timeout", "1", "--heartbeat", "1500,2"];

describe.skipIf(!canRun)("a heartbeat through a middlebox", () => {
  it("pings more often than the idle timeout keep the flow; slower ones meet the RST or the void", async () => {
    const [kept, lb, nat] = await Promise.all([
      runJson(["lb-idle-timeout", "--detect", "heartbeat", "--idle-timeout", "1", "--window", "3"]),
      runJson(["lb-idle-timeout", ...slow, "--window", "4"]),
      runJson(["nat-idle-timeout", ...slow, "--window", "6"]),
    ]);
    expect(kept.code).toBe(0);
    expect(connection(kept.report, "heartbeat").firstFailure).toBeNull();

    expect(lb.code).toBe(0);
    const reset = connection(lb.report, "heartbeat").firstFailure;
    expect(reset).toMatchObject({ call: "recv", result: "ECONNRESET" });
    // The second ping, 1.45 s after the connect and the flow's last segment (its pong): with no
    // pre-fault it comes 50 ms sooner than the interval, on the beat a 50 ms one gives
    // (firstGapMs); the pings after it are 1.5 s apart.
    expect(lb.report.runs[0].settings.preFaultMs).toBe(0);
    within((reset?.afterMs ?? 0) - connectedAt(lb.report, "heartbeat"), 1440, 1550);

    expect(nat.code).toBe(0);
    const dead = connection(nat.report, "heartbeat").firstFailure;
    expect(dead).toMatchObject({ call: "heartbeat", result: "DEAD" });
    // That ping is dropped: the ticks at 2.95 s and 4.45 s after the connect find no pong.
    within((dead?.afterMs ?? 0) - connectedAt(nat.report, "heartbeat"), 4440, 4550);
  });
});
