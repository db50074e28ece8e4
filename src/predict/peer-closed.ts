// The peer's kernel says the connection is over: a FIN (recv returns 0, EOF) or a RST (recv
// fails with ECONNRESET), arriving atMs after the fault.
import { FIN_BASIS, RST_BASIS, round1 } from "./basis.js";
import type { WireEffect } from "./wire.js";

export function fin(atMs: number): WireEffect {
  return {
    kind: "fin",
    immediate: true,
    predict: () => ({ call: "recv", result: "EOF", afterMs: round1(atMs), basis: FIN_BASIS }),
  };
}

export function rst(atMs: number): WireEffect {
  return {
    kind: "rst",
    immediate: true,
    predict: () => ({
      call: "recv",
      result: "ECONNRESET",
      afterMs: round1(atMs),
      basis: RST_BASIS,
    }),
  };
}
