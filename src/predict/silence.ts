// Silence on the wire: the peer host is gone (silent), or gone and back with no memory of the
// connection (silentThenRst): the first segment the observer sends at or after the reboot
// meets a RST.
import type { Prediction } from "../types.js";
import { beforeRebootBasis, rebootRstBasis, round1 } from "./basis.js";
import { type SilentOutcome, silentOutcome } from "./silent-outcome.js";
import type { WireEffect } from "./wire.js";

/** Nothing ever comes back: timers decide. */
export function silent(): WireEffect {
  return { kind: "silent", predict: (input) => silentOutcome(input).giveUp };
}

/**
 * The host came back at rebootAtMs with no TCP state: the first segment the client sends at or
 * after that meets a RST (the lab's round trip is negligible). If the client gives up first, or
 * never sends anything, the reboot changes nothing.
 */
export function silentThenRst(rebootAtMs: number): WireEffect {
  return {
    kind: "silent-then-rst",
    predict: (input) => afterReboot(silentOutcome(input), rebootAtMs),
  };
}

function afterReboot(outcome: SilentOutcome, rebootAtMs: number): Prediction {
  const { giveUp } = outcome;
  const hit = outcome.segments.find((t) => t >= rebootAtMs);
  if (hit === undefined) {
    if (giveUp.result === null) return giveUp;
    return { ...giveUp, basis: beforeRebootBasis(giveUp.basis, rebootAtMs) };
  }
  return {
    call: giveUp.call,
    result: "ECONNRESET",
    afterMs: round1(hit),
    basis: rebootRstBasis(outcome.segmentName, hit),
  };
}
