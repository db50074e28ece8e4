// The keepalive timer: how an idle connection (nothing in flight) finds out its peer is gone.
// See net/ipv4/tcp_timer.c (tcp_keepalive_timer) and include/net/tcp.h (keepalive_*_when).
//
// Keepalive counts from the connection's last activity (the last segment received), not from
// the fault. When the timer fires:
//   - data in flight: it only re-arms (the retransmission timer is in charge), so a writer
//     never sends keepalive probes;
//   - with TCP_USER_TIMEOUT set: give up once at least one probe went out unanswered
//     (icsk_probes_out > 0) and the time since the last activity has reached the user timeout;
//     the probe count TCP_KEEPCNT is then ignored;
//   - without it: give up once TCP_KEEPCNT probes went out unanswered;
//   - otherwise send a probe and re-arm for TCP_KEEPINTVL.
// Giving up sends a RST and reports ETIMEDOUT to the next call.

import { timerDelayMs } from "./jiffies.js";

export interface KeepaliveInput {
  /** Last time the socket received a segment from the peer (ms from the fault, <= 0). */
  lastRecvMs: number;
  /** TCP_KEEPIDLE in seconds. */
  idle: number;
  /** TCP_KEEPINTVL in seconds. */
  interval: number;
  /** TCP_KEEPCNT. */
  count: number;
  /** TCP_USER_TIMEOUT in ms, or null when unset. */
  userTimeoutMs: number | null;
  hz: number;
}

export interface KeepaliveOutcome {
  /** When the keepalive timer gives up (ms from the fault). */
  giveUpMs: number;
  /** When each (unanswered) probe went out before that (ms from the fault). */
  probes: number[];
}

/** Guard against pathological inputs (say, a huge user timeout with a zero interval). */
const MAX_FIRINGS = 1_000_000;

/**
 * Simulates the keepalive timer of an idle socket whose peer stopped answering right after
 * `lastRecvMs`. The first firing is TCP_KEEPIDLE after the last activity, the following ones
 * TCP_KEEPINTVL apart; each timer delay goes through the timer wheel model (timerDelayMs).
 */
export function simulateKeepalive(opts: KeepaliveInput): KeepaliveOutcome {
  const { lastRecvMs, userTimeoutMs, hz } = opts;
  const intervalDelayMs = timerDelayMs(opts.interval * 1000, hz);
  const probes: number[] = [];

  let fireMs = lastRecvMs + timerDelayMs(opts.idle * 1000, hz);
  for (let firing = 0; firing < MAX_FIRINGS; firing++) {
    const probesOut = probes.length;
    const sinceLastRecvMs = fireMs - lastRecvMs;
    const timedOut =
      userTimeoutMs !== null
        ? probesOut > 0 && sinceLastRecvMs >= userTimeoutMs
        : probesOut >= opts.count;
    if (timedOut) break;
    probes.push(fireMs);
    fireMs += intervalDelayMs;
  }
  return { giveUpMs: fireMs, probes };
}

/**
 * When keepalive gives up on a silent peer (ms from the fault): without a user timeout about
 * lastRecv + idle + count x interval (each timer a little late); with TCP_USER_TIMEOUT the
 * first firing after at least one probe where the time since lastRecv has reached it.
 */
export function keepaliveGiveUpMs(opts: KeepaliveInput): number {
  return simulateKeepalive(opts).giveUpMs;
}

/** When each keepalive probe goes out (ms from the fault), up to the give-up. */
export function keepaliveProbeTimesMs(opts: KeepaliveInput): number[] {
  return simulateKeepalive(opts).probes;
}
