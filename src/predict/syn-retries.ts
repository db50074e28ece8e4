// connect() to a host that never answers: when the SYN is retransmitted and when connect()
// fails with ETIMEDOUT. See net/ipv4/tcp_timer.c (tcp_retransmit_timer, tcp_write_timeout,
// retransmits_timed_out, tcp_model_timeout).
//
// What Linux 6.x does in SYN_SENT:
// - the first SYN arms a 1 s timer (TCP_TIMEOUT_INIT), and retrans_stamp is its send time;
// - each firing counts itself in tp->total_rto and retransmits; the timeout doubles only once
//   total_rto > net.ipv4.tcp_syn_linear_timeouts (4 by default since 6.5; absent before, which
//   behaves as 0). So linear_timeouts + 1 gaps of 1 s, then 2, 4, 8 s ... (up to 120 s);
// - a firing gives up (ETIMEDOUT) when icsk_retransmits >= tcp_syn_retries + linear_timeouts,
//   or when the time since the first SYN reaches tcp_model_timeout(tcp_syn_retries, 1 s) =
//   (2^(n+1) - 1) s for n <= 6: whichever comes first.
//
// - with TCP_USER_TIMEOUT set, that time limit is the user timeout instead of
//   tcp_model_timeout, and each timer is clamped to fire no later than it
//   (tcp_clamp_rto_to_user_timeout): connect fails at the user timeout, rounded to a jiffy.
//
// Measured here (6.18, linear_timeouts 4), connect-dead-host: --syn-retries 1: ETIMEDOUT at
// 3.09 s (SYNs at 0, 1, 2 s); 2: 7.16 s (SYNs at 0..5 s); 3: 19.37 s (SYNs at 0..5, 7, 11 s);
// 4: 35.5 s; the default 6 gives up at ~131 s after 10 retransmissions (0..5, 7, 11, 19, 35, 67 s).

import { timerDelayMs } from "./jiffies.js";
import { retries2TimeoutMs, TCP_RTO_MAX_MS } from "./retransmit.js";

/** TCP_TIMEOUT_INIT: the first SYN retransmission timeout. */
export const SYN_RTO_MS = 1000;
/** The 1 s base of tcp_model_timeout for SYN_SENT (tcp_timeout_init). */
const SYN_RTO_BASE_MS = SYN_RTO_MS;

export interface SynInput {
  /** net.ipv4.tcp_syn_retries (or TCP_SYNCNT). */
  synRetries: number;
  /** net.ipv4.tcp_syn_linear_timeouts; 0 where the kernel lacks it. */
  linearTimeouts: number;
  hz: number;
  /** TCP_USER_TIMEOUT in ms, or null/absent: not set. */
  userTimeoutMs?: number | null;
}

export interface SynOutcome {
  /** When each SYN goes out (ms from the connect), the first at 0. */
  syns: number[];
  /** When connect() fails with ETIMEDOUT (ms from the connect). */
  giveUpMs: number;
  /** Which limit ended it: the retransmission count or the time since the first SYN. */
  by: "count" | "time";
}

/** Simulates SYN_SENT against a silent host, each timer through the timer wheel model. */
export function synGiveUp(opts: SynInput): SynOutcome {
  const { synRetries, linearTimeouts, hz } = opts;
  const userTimeoutMs = opts.userTimeoutMs || null;
  const maxRetransmits = synRetries + linearTimeouts;
  const limitMs = userTimeoutMs ?? retries2TimeoutMs(synRetries, SYN_RTO_BASE_MS);
  const syns = [0];
  let rto = SYN_RTO_MS;
  let at = timerDelayMs(rto, hz);
  for (let totalRto = 1; ; totalRto++) {
    const retransmits = syns.length - 1;
    if (retransmits >= maxRetransmits) return { syns, giveUpMs: at, by: "count" };
    if (retransmits > 0 && at >= limitMs) return { syns, giveUpMs: at, by: "time" };
    syns.push(at);
    if (totalRto > linearTimeouts) rto = Math.min(rto * 2, TCP_RTO_MAX_MS);
    // the next firing, no later than the user timeout (at least a jiffy away)
    const delay = userTimeoutMs === null ? rto : Math.max(1, Math.min(rto, userTimeoutMs - at));
    at += timerDelayMs(delay, hz);
  }
}
