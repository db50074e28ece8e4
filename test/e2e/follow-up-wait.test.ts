// After its first failure a connection makes three follow-up calls, each up to --follow-up-gap
// after the one before, and sooner once its socket has hung up (src/agent/follow-up-wait.ts):
// the peer's RST has then arrived and nothing can change what the next calls get. A long gap
// (500 ms) makes the two cases plain: after peer-close's FIN the first follow-up waits the
// whole gap (the socket is still open), its send meets the closed socket's RST, and the next
// calls follow at once; after half-close the server keeps reading, so the socket stays open
// and every call waits its whole gap. The calls and results are those of the default gap.
import { describe, expect, it } from "vitest";
import { callSequences } from "../../scripts/call-sequences.mjs";
import { connection, isRoot, runJson } from "./helpers.js";

const GAP = 500;

/** The times (ms after the fault) of a connection's client calls from its first failure on. */
function followUps(report: Parameters<typeof connection>[0], id: string) {
  const c = connection(report, id);
  const from = c.firstFailure?.afterMs ?? Number.NaN;
  return c.events.filter((e) => e.side === "client" && e.tMs >= from);
}

describe.skipIf(!isRoot)("the follow-up calls' gap", () => {
  it("peer-close: the first follow-up waits the gap, then the RST ends the waiting", async () => {
    const [long, usual] = await Promise.all([
      runJson(["peer-close", "--follow-up-gap", String(GAP)]),
      runJson(["peer-close"]),
    ]);
    expect(long.code).toBe(0);
    expect(callSequences(long.report.runs[0])).toEqual(callSequences(usual.report.runs[0]));
    for (const id of ["idle", "writer"]) {
      const [failed, sendOk, sendEpipe, recvEof, close] = followUps(long.report, id);
      expect([failed.call, failed.result]).toEqual(["recv", "EOF"]);
      expect([sendOk.call, sendOk.result, sendEpipe.result]).toEqual(["send", "OK", "EPIPE"]);
      expect([recvEof.call, recvEof.result, close.call]).toEqual(["recv", "EOF", "close"]);
      expect(sendOk.tMs - failed.tMs).toBeGreaterThanOrEqual(GAP - 1);
      // the RST answers the send within ~0.1 ms: far sooner than the gap
      expect(close.tMs - sendOk.tMs).toBeLessThan(GAP / 2);
    }
  });

  it("half-close: the socket stays open, so each follow-up waits the whole gap", async () => {
    const { code, report } = await runJson(["half-close", "--follow-up-gap", String(GAP)]);
    expect(code).toBe(0);
    const calls = followUps(report, "idle");
    expect(calls.map((e) => `${e.call} ${e.result}`)).toEqual([
      "recv EOF",
      "send OK",
      "send OK",
      "recv EOF",
      "close OK",
    ]);
    for (let i = 1; i < 4; i++)
      expect(calls[i].tMs - calls[i - 1].tMs).toBeGreaterThanOrEqual(GAP - 1);
  });
});
