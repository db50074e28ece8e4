// A run that watches only sockets with no schedule of their own (idle, poll, tcp-info, no
// keepalive) needs no time before the fault beyond the settle: the fault comes once the server
// has accepted every connection (runner/settle.ts). What each call sees is what it sees with
// the 50 ms the writer's rhythm needs (docs/phases.md has the run-all comparison).
import { describe, expect, it } from "vitest";
import { callSequences } from "../../scripts/call-sequences.mjs";
import { connection, isRoot, runJson } from "./helpers.js";

describe.skipIf(!isRoot)("the pre-fault of a quiet run", () => {
  it("peer-close --detect recv,poll,tcp-info: no pre-fault; every connection accepted before the fault; EOF, poll bits, CLOSE_WAIT", async () => {
    const [quiet, fifty] = await Promise.all([
      runJson(["peer-close", "--detect", "recv,poll,tcp-info"]),
      runJson(["peer-close", "--detect", "recv,poll,tcp-info", "--pre-fault", "50"]),
    ]);
    expect(quiet.code).toBe(0);
    expect(quiet.report.runs[0].settings.preFaultMs).toBe(0);
    expect(fifty.report.runs[0].settings.preFaultMs).toBe(50);
    for (const id of ["recv", "poll", "tcp-info"]) {
      const c = connection(quiet.report, id);
      const accept = c.events.find((e) => e.side === "server" && e.call === "accept");
      expect(accept?.result).toBe("OK");
      expect(accept?.tMs ?? 0).toBeLessThan(0);
    }
    // The same calls, with the same results, in the same order (scripts/call-sequences.mjs).
    expect(callSequences(quiet.report.runs[0])).toEqual(callSequences(fifty.report.runs[0]));
    expect(connection(quiet.report, "recv").firstFailure).toMatchObject({
      call: "recv",
      result: "EOF",
    });
    expect(connection(quiet.report, "poll").firstFailure).toMatchObject({ call: "poll" });
    expect(connection(quiet.report, "tcp-info").firstFailure).toMatchObject({
      call: "tcp_info",
      result: "CLOSE_WAIT",
    });
  });
});
