// An application heartbeat through a stateful middlebox (idle timeout 1 s here): pings every
// 500 ms keep the flow, so nothing fails; pings every 1.5 s leave it idle long enough to be
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
    // The ping 1.5 s after the connect, 1.5 s after the flow's last segment (its pong).
    within((reset?.afterMs ?? 0) - connectedAt(lb.report, "heartbeat"), 1490, 1600);

    expect(nat.code).toBe(0);
    const dead = connection(nat.report, "heartbeat").firstFailure;
    expect(dead).toMatchObject({ call: "heartbeat", result: "DEAD" });
    // That ping is dropped: the ticks at 3 s and 4.5 s after the connect find no pong.
    within((dead?.afterMs ?? 0) - connectedAt(nat.report, "heartbeat"), 4490, 4600);
  });
});
