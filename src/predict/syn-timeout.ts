// connect() whose SYNs meet silence (a dead host, a full listen queue): the SYN is
// retransmitted, 1 s apart for the first tcp_syn_linear_timeouts + 1 times (4 on Linux 6.5+,
// 0 before), then doubling, and connect fails with ETIMEDOUT once tcp_syn_retries +
// tcp_syn_linear_timeouts retransmissions are spent or (2^(n+1) - 1) s have passed since the
// first SYN (TCP_USER_TIMEOUT instead, where it is set), whichever is first (syn-retries.ts).
import type { KernelParams, Prediction, Settings } from "../types.js";
import { round1, seconds } from "./basis.js";
import { synGiveUp } from "./syn-retries.js";
import type { WireEffect } from "./wire.js";

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

export function synTimeout(settings: Settings, kernel: KernelParams): Prediction {
  const retries = settings.synRetries ?? kernel.synRetries ?? 6;
  const linear = kernel.synLinearTimeouts ?? 0;
  const userTimeoutMs = settings.userTimeoutMs;
  const sim = synGiveUp({
    synRetries: retries,
    linearTimeouts: linear,
    hz: kernel.hz,
    userTimeoutMs,
  });
  const retransmissions = sim.syns.length - 1;
  const linearPart =
    retransmissions <= linear + 1 ? "1 s apart" : `the first ${linear + 1} of them 1 s apart`;
  const gaps = linear > 0 ? `, ${linearPart} (tcp_syn_linear_timeouts=${linear})` : "";
  const limit = sim.by === "time" && userTimeoutMs ? ` (TCP_USER_TIMEOUT ${userTimeoutMs} ms)` : "";
  return {
    call: "connect",
    result: "ETIMEDOUT",
    afterMs: round1(sim.giveUpMs),
    basis: `tcp_syn_retries=${retries}: ${retransmissions} SYN retransmissions${gaps}; connect gives up after ${seconds(sim.giveUpMs)} s${limit}`,
  };
}
