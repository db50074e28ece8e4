// A partition that heals at healAtMs: if the kernel gives up before the heal, the connection
// fails as it would with a silent peer; otherwise retransmissions catch up and nothing fails.
import type { Prediction } from "../types.js";
import { seconds } from "./basis.js";
import { silentOutcome } from "./silent-outcome.js";
import type { WireEffect } from "./wire.js";

export function partition(healAtMs: number): WireEffect {
  return {
    kind: "partition",
    predict: (input) => healed(silentOutcome(input).giveUp, healAtMs),
  };
}

export function healed(giveUp: Prediction, healAtMs: number): Prediction {
  if (giveUp.afterMs !== null && giveUp.afterMs < healAtMs) {
    return {
      ...giveUp,
      basis: `${giveUp.basis}, before the partition heals at ${seconds(healAtMs)} s`,
    };
  }
  return {
    call: null,
    result: null,
    afterMs: null,
    basis: `the partition heals at ${seconds(healAtMs)} s, before the kernel gives up; retransmissions then catch up`,
  };
}
