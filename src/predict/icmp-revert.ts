// A writer behind an unreachable route: its retransmission timer, the router's ICMP answers,
// and what each answer does to the socket. See net/ipv4/tcp_ipv4.c (tcp_v4_err,
// tcp_ld_RTO_revert) and net/ipv6/tcp_ipv6.c (tcp_v6_err).
//
// What Linux does with an ICMP net/host unreachable (ICMPv6 no route) for a TCP segment:
// - If the sending process owns the socket when it arrives (the answer to a segment sent from
//   send() comes back inside that very call), it is only counted (TcpExt.LockDroppedIcmps)
//   and kept as a soft error: no revert, and even IP_RECVERR does not report it.
// - Otherwise, with IP_RECVERR, sk_err is set and the next (or the blocked) call fails with
//   EHOSTUNREACH / ENETUNREACH at once. The first such answer in the lab is usually the one
//   to the tail loss probe, which is sent from a timer.
// - RFC 6069 backoff revert (tcp_ld_RTO_revert): when the ICMP quotes snd_una, the socket has
//   retransmitted (icsk_retransmits > 0) and backed off (icsk_backoff > 0), one doubling is
//   undone: backoff - 1, RTO = base RTO << backoff, and the retransmission timer is re-armed
//   for that RTO minus the time since the segment went out (here: at once, so the full RTO).
//   That timer is NOT clamped to TCP_USER_TIMEOUT, which is why a user timeout can be
//   overrun: the give-up check only runs when the timer fires.
// - The give-up itself is unchanged (retransmit.ts): at a firing, the time since the first
//   RTO retransmission has reached TCP_USER_TIMEOUT or tcp_model_timeout(tcp_retries2).
//
// Measured in the lab (HZ=250, RTO 208 ms, TCP_USER_TIMEOUT 3000, writer sending every 200 ms,
// tcpdump in the router): stock router (icmp_ratelimit 1000): sends at +150, +350 answered
// (LockDroppedIcmps 2), tail loss probe +356, RTOs at +564, +988, +1820 unanswered or
// suppressed, +3488 answered: revert, timer re-armed for 1.66 s, EHOSTUNREACH at ~5.1 s
// (5.07 s reference); with IP_RECVERR, EHOSTUNREACH at that +3488 answer (~3.43 s reference).
// Without the per-host limit (ip_error's one-per-second remains), the probe's answer comes
// through (IP_RECVERR: ~0.36 s) and reverts keep the RTO short: ~4.05 s.

import type { IcmpFate } from "./icmp-ratelimit.js";
import { timerDelayMs as averageDelayMs } from "./jiffies.js";
import { retries2TimeoutMs, TCP_RTO_MAX_MS, TCP_RTO_MIN_MS } from "./retransmit.js";

/** 2 ** n for the backoffs a run reaches: `**` costs more than a look-up before V8 optimises the
 * sampling loop (icmp-modes.ts runs it ~170,000 times). */
const POWERS_OF_TWO = Array.from({ length: 64 }, (_, n) => 2 ** n);

/** Guard against pathological inputs; the kernel caps tcp_retries2 at 255. */
const MAX_FIRINGS = 10_000;

export interface IcmpWriterInput {
  /** The first send after the fault that is never acknowledged (ms from the fault). */
  firstUnackedSendMs: number;
  /** The writer's send rhythm: each further send transmits new data until the first RTO. */
  sendIntervalMs: number;
  /** tcpi_rto at the fault, in ms: the base RTO a revert comes back to. */
  rtoMs: number;
  retries2: number;
  userTimeoutMs: number | null;
  recverr: boolean;
  hz: number;
  /** The router's limiter for this client host (icmp-ratelimit.ts), fed segment times in order. */
  limiter: (atMs: number) => IcmpFate;
  /** How long a timer armed for `ms` takes to fire; the timer wheel's average by default. */
  delay?: (ms: number, hz: number) => number;
  /** false: only when and why the call fails, no segments (sampling many runs allocates less). */
  record?: boolean;
}

export type IcmpEffect = "lock-dropped" | "soft" | "reverted" | IcmpFate;

export interface IcmpWriterOutcome {
  /** When the call fails (ms from the fault). */
  atMs: number;
  /** Why: IP_RECVERR reported an ICMP, or the retransmission timer gave up. */
  by: "recverr" | "timer";
  /** Each segment that reached the router, what it was, and what became of its ICMP. */
  segments: { atMs: number; what: "send" | "probe" | "rto"; effect: IcmpEffect }[];
}

/**
 * Simulates the writer until its call fails: new data sent from send() until the first RTO
 * (the socket then enters loss recovery and sends only retransmissions), the tail loss probe,
 * then the RTO retransmissions, each answered (or not) by the router's limiter.
 */
export function simulateIcmpWriter(opts: IcmpWriterInput): IcmpWriterOutcome {
  const { firstUnackedSendMs: start, hz, userTimeoutMs, limiter } = opts;
  const timerDelayMs = opts.delay ?? averageDelayMs;
  const limitMs = userTimeoutMs ?? retries2TimeoutMs(opts.retries2);
  const baseRto = opts.rtoMs > 0 ? opts.rtoMs : TCP_RTO_MIN_MS;
  const oneJiffyMs = 1000 / hz;
  const probeMs = start + timerDelayMs(TCP_RTO_MIN_MS + 2 * oneJiffyMs, hz);
  const segments: IcmpWriterOutcome["segments"] = [];
  // (tested before each segment is made: sampling runs thousands of firings)
  const record = opts.record !== false;
  const firstRtoMs = probeMs + timerDelayMs(baseRto, hz);

  // Before the first RTO: the writer's sends (answers dropped under the socket lock) and the
  // tail loss probe (sent from a timer: no revert, as nothing has been retransmitted yet).
  const early: { atMs: number; what: "send" | "probe" }[] = [{ atMs: probeMs, what: "probe" }];
  for (let t = start; t < firstRtoMs; t += opts.sendIntervalMs)
    early.push({ atMs: t, what: "send" });
  early.sort((a, b) => a.atMs - b.atMs);
  for (const seg of early) {
    const fate = limiter(seg.atMs);
    const effect: IcmpEffect =
      fate !== "sent" ? fate : seg.what === "send" ? "lock-dropped" : "soft";
    if (record) segments.push({ ...seg, effect });
    if (effect === "soft" && opts.recverr) return { atMs: seg.atMs, by: "recverr", segments };
  }

  let backoff = 0;
  let rtoMs = baseRto;
  let fireMs = firstRtoMs;
  let stampMs: number | null = null;
  for (let firing = 0; firing < MAX_FIRINGS; firing++) {
    if (stampMs !== null && fireMs - stampMs >= limitMs) break;
    stampMs ??= fireMs;
    backoff++;
    rtoMs = Math.min(rtoMs * 2, TCP_RTO_MAX_MS);
    let nextMs = rtoMs;
    if (userTimeoutMs !== null) {
      // tcp_clamp_rto_to_user_timeout
      const remainingMs = userTimeoutMs - (fireMs - stampMs);
      nextMs = remainingMs <= 0 ? oneJiffyMs : Math.min(rtoMs, remainingMs);
    }
    const fate = limiter(fireMs);
    if (fate === "sent") {
      if (record) segments.push({ atMs: fireMs, what: "rto", effect: "reverted" });
      if (opts.recverr) return { atMs: fireMs, by: "recverr", segments };
      // tcp_ld_RTO_revert: one doubling undone, timer re-armed unclamped.
      backoff--;
      rtoMs = Math.min(baseRto * (POWERS_OF_TWO[backoff] ?? 2 ** backoff), TCP_RTO_MAX_MS);
      nextMs = rtoMs;
    } else {
      if (record) segments.push({ atMs: fireMs, what: "rto", effect: fate });
    }
    fireMs += timerDelayMs(nextMs, hz);
  }
  return { atMs: fireMs, by: "timer", segments };
}
