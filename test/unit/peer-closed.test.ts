// A server that closes its sockets: FIN, except where it leaves data unread. Its plain recv
// never reads the urgent workload's MSG_OOB byte, and Linux aborts such a close with RST.
import { describe, expect, it } from "vitest";
import { faultNamed } from "../../src/faults/index.js";
import { closedByServer } from "../../src/predict/index.js";
import { idle, run, writer } from "./wire-fixtures.js";

describe("closedByServer", () => {
  it("FIN for every workload that leaves nothing unread", () => {
    for (const workload of ["idle", "writer", "poll", "tcp-info", "heartbeat"]) {
      expect(closedByServer(0, workload).kind).toBe("fin");
    }
    expect(run(closedByServer(0, "writer"), {}, writer)).toMatchObject({ result: "EOF" });
  });

  it("RST for the urgent workload, whose MSG_OOB byte is never read", () => {
    const p = run(closedByServer(2000, "urgent"), {}, idle);
    expect(p).toMatchObject({ call: "recv", result: "ECONNRESET", afterMs: 2000 });
    expect(p.basis).toContain("urgent byte unread");
  });

  it("is the wire of every fault whose server closes its connections", () => {
    for (const name of ["close", "kill", "restart", "shutdown"]) {
      const fault = faultNamed(name);
      const settings = { ignoreSigterm: false, graceMs: 2000 } as never;
      const wire = (workload: string) =>
        fault.wire({ settings, workload, params: {} as never, measured: {} }).kind;
      expect([wire("idle"), wire("urgent")], name).toEqual(["fin", "rst"]);
    }
  });
});
