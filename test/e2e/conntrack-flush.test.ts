// conntrack-flush in a real lab: the router's stateful firewall loses its table at t=0. With
// loose pickup off the flows' next segments are INVALID and dropped; with it on, adopted.
import { describe, expect, it } from "vitest";
import { connection, runJson } from "./helpers.js";
import { canRun, first, within } from "./middlebox-helpers.js";

describe.skipIf(!canRun)("conntrack-flush", () => {
  it("loose off: the writer's data goes into the void, ETIMEDOUT ~3.4 s later; the pooled request too; idle sees nothing", async () => {
    const { code, report } = await runJson(["conntrack-flush", "--user-timeout", "3000"]);
    expect(code).toBe(0);
    const writer = connection(report, "writer").firstFailure;
    expect(writer?.result).toBe("ETIMEDOUT");
    // First send after the flush (< 200 ms), then the first retransmission, then 3 s.
    within(writer?.afterMs, 3200, 3900);
    const send = first(report, "pooled", "client", "send", "OK");
    const pooled = connection(report, "pooled").firstFailure;
    expect(pooled).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    within((pooled?.afterMs ?? 0) - (send?.tMs ?? 0), 3200, 3700);
    expect(connection(report, "idle").firstFailure).toBeNull();
    expect(report.runs[0].settings.loose).toBe(false);
  });

  it("loose on (nf_conntrack_tcp_loose=1): flows are picked up mid-stream and nothing fails", async () => {
    const { code, report } = await runJson([
      "conntrack-flush",
      "--loose",
      "on",
      "--user-timeout",
      "3000",
    ]);
    expect(code).toBe(0);
    for (const id of ["writer", "pooled", "idle"])
      expect(connection(report, id).firstFailure).toBeNull();
    expect(first(report, "pooled", "client", "recv", "OK")).toBeDefined();
    expect(report.runs[0].settings.loose).toBe(true);
  });
});
