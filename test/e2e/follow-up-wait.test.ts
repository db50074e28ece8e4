// After its first failure a connection makes three follow-up calls, each up to --follow-up-gap
// after the one before, and sooner once the peer has answered what the connection sent
// (src/agent/follow-up-wait.ts): its RST (the socket hung up) or its ACK of every byte. A long
// gap (500 ms) makes the cases plain: after peer-close's FIN nothing is waiting for an answer,
// the first send meets the closed socket's RST, and every call follows at once; after
// half-close the server's kernel ACKs each send at once; after shutdown the host is silent, so
// each call after a send waits the whole gap. The calls and results are those of the default gap.
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

const names = (calls: ReturnType<typeof followUps>) => calls.map((e) => `${e.call} ${e.result}`);

describe.skipIf(!isRoot)("the follow-up calls' gap", () => {
  it("peer-close: nothing waits for an answer, then the RST ends the waiting", async () => {
    const [long, usual] = await Promise.all([
      runJson(["peer-close", "--follow-up-gap", String(GAP)]),
      runJson(["peer-close"]),
    ]);
    expect(long.code).toBe(0);
    expect(callSequences(long.report.runs[0])).toEqual(callSequences(usual.report.runs[0]));
    for (const id of ["idle", "writer"]) {
      const calls = followUps(long.report, id);
      expect(names(calls)).toEqual(["recv EOF", "send OK", "send EPIPE", "recv EOF", "close OK"]);
      // the first send is not waiting on anything; the RST answers it within ~0.1 ms
      expect(calls[4].tMs - calls[0].tMs).toBeLessThan(GAP / 2);
    }
  });

  it("half-close: the server's kernel ACKs each send, so no call waits the gap", async () => {
    const { code, report } = await runJson(["half-close", "--follow-up-gap", String(GAP)]);
    expect(code).toBe(0);
    const calls = followUps(report, "idle");
    expect(names(calls)).toEqual(["recv EOF", "send OK", "send OK", "recv EOF", "close OK"]);
    expect(calls[4].tMs - calls[0].tMs).toBeLessThan(GAP / 2);
  });

  it("shutdown: the host is silent, so each call after a send waits the whole gap", async () => {
    const { code, report } = await runJson(["shutdown", "--follow-up-gap", String(GAP)]);
    expect(code).toBe(0);
    for (const id of ["idle", "writer"]) {
      const calls = followUps(report, id);
      expect(names(calls)).toEqual(["recv EOF", "send OK", "send OK", "recv EOF", "close OK"]);
      expect(calls[2].tMs - calls[1].tMs).toBeGreaterThanOrEqual(GAP - 1);
      expect(calls[3].tMs - calls[2].tMs).toBeGreaterThanOrEqual(GAP - 1);
    }
  });
});
