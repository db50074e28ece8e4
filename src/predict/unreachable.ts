// Predictions for faults that are not a plain silence: an ICMP error from the router, a
// partition that heals, a frozen peer whose kernel still ACKs, and connect() to a dead host
// or to a port nobody listens on.
import type { KernelParams, Prediction, Settings } from "../types.js";
import { round1, seconds } from "./basis.js";
import { timerDelayMs } from "./jiffies.js";
import type { SilentOutcome } from "./predict.js";
import { retries2TimeoutMs, TCP_RTO_MAX_MS } from "./retransmit.js";

export const FROZEN_BASIS =
  "the peer's kernel is alive and ACKs data and keepalive probes, so TCP never notices; only an application heartbeat does";
export const REFUSED_BASIS = "the host answers the SYN with RST: nothing listens on the port";

/** TCP_TIMEOUT_INIT: the first SYN retransmission timeout. */
const SYN_RTO_MS = 1000;

/**
 * ICMP host/net unreachable is a soft error (RFC 1122): the connection goes on until its
 * timer gives up, and then reports the ICMP error instead of ETIMEDOUT. With IP_RECVERR an
 * ICMP that arrives while no call holds the socket fails the next call at once: in the lab
 * that is the answer to the tail loss probe, the first segment sent from a timer (the answer
 * to the original send arrives inside that send() and stays soft). Keepalive probes are
 * sent below the window, so their ICMP answers are dropped as out of window: an idle
 * socket still gets ETIMEDOUT.
 */
export function icmpUnreachable(
  outcome: SilentOutcome,
  errno: string,
  recverr: boolean,
): Prediction {
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

/** A partition that heals before the timer gives up leaves the connection alive. */
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

/**
 * connect() to a host that is gone: the SYN is retransmitted with a 1 s timeout that doubles,
 * and connect fails with ETIMEDOUT once tcp_syn_retries retransmissions are spent: after
 * (2^(n+1) - 1) s, 127 s for the default 6.
 */
export function connectTimeout(
  settings: Settings,
  kernel: KernelParams & { synRetries?: number },
): Prediction {
  const retries = settings.synRetries ?? kernel.synRetries ?? 6;
  let at = 0;
  let rto = SYN_RTO_MS;
  for (let i = 0; i <= retries; i++) {
    at += timerDelayMs(rto, kernel.hz);
    rto = Math.min(rto * 2, TCP_RTO_MAX_MS);
  }
  return {
    call: "connect",
    result: "ETIMEDOUT",
    afterMs: round1(at),
    basis: `tcp_syn_retries=${retries}: SYN retransmissions give up after ${seconds(retries2TimeoutMs(retries, SYN_RTO_MS))} s`,
  };
}
