// The retransmission timer: how long a connection with unacknowledged data keeps trying
// before the kernel gives up with ETIMEDOUT. See net/ipv4/tcp_timer.c (tcp_retransmit_timer,
// tcp_write_timeout, retransmits_timed_out, tcp_model_timeout, tcp_clamp_rto_to_user_timeout).
//
// Measured on a 6.18 kernel in the lab (TCP_INFO sampled every few ms) and modelled here:
// - a tail loss probe (TLP) goes out about TCP_RTO_MIN after the first unacknowledged send
//   (2 x SRTT + 200 ms with one segment out, or 2 x SRTT + 2 jiffies after the next segment;
//   the lab's SRTT is negligible, a real path's is measured from TCP_INFO and added), and the
//   RTO timer is armed from the probe;
// - retrans_stamp, from which TCP_USER_TIMEOUT and tcp_retries2 are counted, is the time of
//   the first RTO retransmission (the skb's timestamp is refreshed when it is retransmitted),
//   not the original send.
// Left out: thin-stream linear timeouts and zero-window probing.

import { timerDelayMs } from "./jiffies.js";

/** TCP_RTO_MIN: the RTO base tcp_model_timeout uses for established sockets (HZ / 5). */
export const TCP_RTO_MIN_MS = 200;
/** TCP_RTO_MAX: exponential backoff stops doubling here (120 * HZ). */
export const TCP_RTO_MAX_MS = 120_000;

/** Guard against pathological inputs (a tcp_retries2 in the thousands); the kernel caps at 255. */
const MAX_FIRINGS = 10_000;

/**
 * tcp_model_timeout: how long `retries2` retransmissions take with an RTO starting at
 * `rtoBaseMs` and doubling up to `rtoMaxMs`. The kernel compares the time since retrans_stamp
 * (here the first RTO retransmission) with this figure, not a count of retransmissions.
 *
 *   linear_backoff_thresh = ilog2(rtoMax / rtoBase)          (9 for 200 ms / 120 s)
 *   boundary <= thresh: ((2 << boundary) - 1) * rtoBase
 *   otherwise:          ((2 << thresh) - 1) * rtoBase + (boundary - thresh) * rtoMax
 *
 * tcp_retries2=15 gives 924600 ms (the "15.4 minutes"), tcp_retries2=5 gives 12600 ms.
 */
export function retries2TimeoutMs(
  retries2: number,
  rtoBaseMs = TCP_RTO_MIN_MS,
  rtoMaxMs = TCP_RTO_MAX_MS,
): number {
  const thresh = Math.floor(Math.log2(rtoMaxMs / rtoBaseMs));
  if (retries2 <= thresh) return (2 ** (retries2 + 1) - 1) * rtoBaseMs;
  return (2 ** (thresh + 1) - 1) * rtoBaseMs + (retries2 - thresh) * rtoMaxMs;
}

export interface RetransmitInput {
  /** When the oldest unacknowledged segment was first sent (ms from the fault). */
  firstUnackedSendMs: number;
  /** The RTO in force when it was sent (tcpi_rto), in ms. */
  rtoMs: number;
  /** The measured smoothed RTT (tcpi_rtt), in ms: the tail loss probe waits 2 x SRTT more. */
  srttMs?: number;
  /** net.ipv4.tcp_retries2. */
  retries2: number;
  /** TCP_USER_TIMEOUT in ms, or null when unset (0 in the kernel). */
  userTimeoutMs: number | null;
  hz: number;
}

export interface RetransmitOutcome {
  /** When the retransmission timer gives up and the socket gets ETIMEDOUT (ms from the fault). */
  atMs: number;
  /**
   * What went out before that (ms from the fault): the tail loss probe first, then each RTO
   * retransmission (the first of which sets retrans_stamp).
   */
  retransmissions: number[];
}

/**
 * Simulates the retransmission timer of a socket whose peer has gone silent.
 *
 * - The tail loss probe fires about TCP_RTO_MIN + 2 jiffies after the first unacked send; the
 *   first RTO fires one RTO after the probe and is retransmission #1, which sets retrans_stamp.
 * - At each later firing, tcp_write_timeout asks retransmits_timed_out(): has the time since
 *   retrans_stamp reached TCP_USER_TIMEOUT if set, else tcp_model_timeout(tcp_retries2, 200 ms)?
 *   Timed out: the socket errors with ETIMEDOUT.
 * - Otherwise it retransmits, doubles the RTO (capped at 120 s) and re-arms the timer with
 *   tcp_clamp_rto_to_user_timeout(): with a user timeout, no later than the moment it runs
 *   out (1 jiffy if it already has).
 * Every timer delay goes through the timer wheel model (timerDelayMs).
 */
export function retransmitGiveUpMs(opts: RetransmitInput): RetransmitOutcome {
  const { firstUnackedSendMs: start, retries2, userTimeoutMs, hz } = opts;
  const limitMs = userTimeoutMs ?? retries2TimeoutMs(retries2, TCP_RTO_MIN_MS, TCP_RTO_MAX_MS);
  const oneJiffyMs = 1000 / hz;
  const srttMs = opts.srttMs ?? 0;
  const probeMs = start + timerDelayMs(2 * srttMs + TCP_RTO_MIN_MS + 2 * oneJiffyMs, hz);
  const retransmissions: number[] = [probeMs];

  let rtoMs = opts.rtoMs > 0 ? opts.rtoMs : TCP_RTO_MIN_MS;
  let fireMs = probeMs + timerDelayMs(rtoMs, hz);
  let stampMs: number | null = null;
  for (let firing = 0; firing < MAX_FIRINGS; firing++) {
    if (stampMs !== null && fireMs - stampMs >= limitMs) break;
    retransmissions.push(fireMs);
    stampMs ??= fireMs;
    const elapsedMs = fireMs - stampMs;
    rtoMs = Math.min(rtoMs * 2, TCP_RTO_MAX_MS);
    let nextMs = rtoMs;
    if (userTimeoutMs !== null) {
      const remainingMs = userTimeoutMs - elapsedMs;
      // min(rto, msecs_to_jiffies(remaining)): timerDelayMs rounds up to jiffies the same way.
      nextMs = remainingMs <= 0 ? oneJiffyMs : Math.min(rtoMs, remainingMs);
    }
    fireMs += timerDelayMs(nextMs, hz);
  }
  return { atMs: fireMs, retransmissions };
}
