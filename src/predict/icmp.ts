// The peer host is gone and a router answers with ICMP host or network unreachable.
// It is a soft error (RFC 1122): the connection goes on until its timer gives up, and then
// reports the ICMP error instead of ETIMEDOUT. With IP_RECVERR an ICMP that arrives while no
// call holds the socket fails the next call at once: in the lab that is the answer to the
// tail loss probe, the first segment sent from a timer (the answer to the original send
// arrives inside that send() and stays soft). Keepalive probes are sent below the window, so
// their ICMP answers are dropped as out of window: an idle socket still gets ETIMEDOUT.
import type { Prediction } from "../types.js";
import { round1 } from "./basis.js";
import { type SilentOutcome, silentOutcome } from "./silent-outcome.js";
import type { WireEffect } from "./wire.js";

export function icmpUnreachable(errno: "EHOSTUNREACH" | "ENETUNREACH"): WireEffect {
  return {
    kind: "icmp",
    predict: (input) => softError(silentOutcome(input), errno, input.settings.recverr ?? false),
  };
}

export function softError(outcome: SilentOutcome, errno: string, recverr: boolean): Prediction {
  const { giveUp } = outcome;
  if (giveUp.result === null) return giveUp;
  if (outcome.segmentName === "keepalive probe") {
    return {
      ...giveUp,
      basis: `${giveUp.basis}; the ICMP answers to keepalive probes are ignored`,
    };
  }
  const probe = outcome.segments[1];
  if (recverr && probe !== undefined && (giveUp.afterMs === null || probe < giveUp.afterMs)) {
    return {
      call: giveUp.call,
      result: errno,
      afterMs: round1(probe),
      basis: `IP_RECVERR: the router's ICMP answer to the tail loss probe at ${round1(probe)} ms is reported at once`,
    };
  }
  return {
    ...giveUp,
    result: errno,
    basis: `${giveUp.basis}; the router's ICMP is a soft error, reported (as ${errno}) only when the timer gives up`,
  };
}
