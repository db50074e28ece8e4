// nat-idle-timeout in a real lab: the router masquerades the client and forgets the mapping
// after 3 s idle; the pooled request is retransmitted into the void until TCP_USER_TIMEOUT.
import { describe, expect, it } from "vitest";
import { connection, runJson } from "./helpers.js";
import { canRun, connectedAt, first, within } from "./middlebox-helpers.js";

describe.skipIf(!canRun)("nat-idle-timeout", () => {
  it("the request goes into the void: recv ETIMEDOUT ~3.4 s after it under TCP_USER_TIMEOUT 3000; the server sees the router's address", async () => {
    const { code, report } = await runJson(["nat-idle-timeout", "--user-timeout", "3000"]);
    expect(code).toBe(0);
    const send = first(report, "pooled", "client", "send", "OK");
    const failure = connection(report, "pooled").firstFailure;
    expect(failure).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    // the request goes 3.5 s after the connect
    within((send?.tMs ?? 0) - connectedAt(report, "pooled"), 3480, 3600);
    // TCP_USER_TIMEOUT counts from the first retransmission (~0.2 s after the send).
    within((failure?.afterMs ?? 0) - (send?.tMs ?? 0), 3200, 3700);
    // Masquerade: the server accepted from the router's address, matched by the client's port.
    const accept = connection(report, "pooled").events.find(
      (e) => e.side === "server" && e.call === "accept",
    );
    expect(accept?.detail).toMatch(/^203\.0\.113\.1:\d+$/);
    expect(connection(report, "idle").firstFailure).toBeNull();
    expect(connection(report, "writer").firstFailure).toBeNull();
  });

  it("keepalive 1,1,2 below the timeout: nothing fails, the request is answered", async () => {
    const { code, report } = await runJson([
      "nat-idle-timeout",
      "--keepalive",
      "1,1,2",
      "--user-timeout",
      "3000",
    ]);
    expect(code).toBe(0);
    for (const id of ["pooled", "idle", "writer"])
      expect(connection(report, id).firstFailure).toBeNull();
    expect(first(report, "pooled", "client", "recv", "OK")).toBeDefined();
  });
});
