// connect() to a live host with no listener: its kernel answers the SYN with RST.
import type { WireEffect } from "./wire.js";

export const REFUSED_BASIS = "the host answers the SYN with RST: nothing listens on the port";

export function connectRefused(): WireEffect {
  return {
    kind: "connect-refused",
    predict: () => ({ call: "connect", result: "ECONNREFUSED", afterMs: 0, basis: REFUSED_BASIS }),
  };
}
