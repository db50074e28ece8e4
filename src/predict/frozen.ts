// A frozen peer: its process is stopped but its kernel is alive and ACKs everything, so TCP
// never notices.
import type { WireEffect } from "./wire.js";

export const FROZEN_BASIS =
  "the peer's kernel is alive and ACKs data and keepalive probes, so TCP never notices; only an application heartbeat does";

export function frozen(): WireEffect {
  return {
    kind: "frozen",
    predict: () => ({ call: null, result: null, afterMs: null, basis: FROZEN_BASIS }),
  };
}
