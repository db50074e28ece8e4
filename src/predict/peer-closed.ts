// The peer's kernel says the connection is over: a FIN (recv returns 0, EOF) or a RST (recv
// fails with ECONNRESET), arriving atMs after the fault. A socket closed with data it never
// read is aborted instead (RFC 2525; Linux's tcp_close counts every byte left in the receive
// queue): the server reads with plain recv, which never takes the urgent workload's MSG_OOB
// byte, so closing that connection sends RST.
import { FIN_BASIS, RST_BASIS, round1, URGENT_UNREAD_BASIS } from "./basis.js";
import type { WireEffect } from "./wire.js";

export function fin(atMs: number): WireEffect {
  return {
    kind: "fin",
    immediate: true,
    atMs,
    predict: () => ({ call: "recv", result: "EOF", afterMs: round1(atMs), basis: FIN_BASIS }),
  };
}

export function rst(atMs: number): WireEffect {
  return {
    kind: "rst",
    immediate: true,
    atMs,
    predict: () => ({
      call: "recv",
      result: "ECONNRESET",
      afterMs: round1(atMs),
      basis: RST_BASIS,
    }),
  };
}

/** The server's socket is closed (close(), or its process's end): FIN, RST where data is unread. */
export function closedByServer(atMs: number, workload: string): WireEffect {
  if (workload !== "urgent") return fin(atMs);
  const abort = rst(atMs);
  return {
    ...abort,
    predict: (input) => ({ ...abort.predict(input), basis: URGENT_UNREAD_BASIS }),
  };
}
