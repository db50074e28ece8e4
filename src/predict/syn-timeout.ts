// connect() whose SYNs meet silence (a dead host, a full listen queue): the SYN is
// retransmitted with a 1 s timeout that doubles, and connect fails with ETIMEDOUT once
// tcp_syn_retries retransmissions are spent.
import type { KernelParams, Prediction, Settings } from "../types.js";
import { round1, seconds } from "./basis.js";
import { timerDelayMs } from "./jiffies.js";
import { retries2TimeoutMs, TCP_RTO_MAX_MS } from "./retransmit.js";
import type { WireEffect } from "./wire.js";

/** TCP_TIMEOUT_INIT: the first SYN retransmission timeout. */
const SYN_RTO_MS = 1000;

/** SYNs that meet silence; `why` names what drops them in the basis, if anything. */
export function connectTimeout(why?: string): WireEffect {
  return {
    kind: "connect-timeout",
    predict: ({ settings, kernel }) => {
      const p = synTimeout(settings, kernel);
      return why ? { ...p, basis: `${why}; ${p.basis}` } : p;
    },
  };
}

/** After (2^(n+1) - 1) s by the classic formula, 127 s for the default 6. */
export function synTimeout(settings: Settings, kernel: KernelParams): Prediction {
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
