// The router's ICMP rate limiting: which of the segments that reach an unreachable route get
// an ICMP answer. Everything here counts in jiffies, as the kernel does.
//
// What Linux 6.x does:
// - The per-host limiter is a token bucket kept in the inet_peer entry of the host that gets
//   the ICMP (net/ipv4/inetpeer.c, inet_peer_xrlim_allow). Tokens accrue one per jiffy, up to
//   XRLIM_BURST_FACTOR (6) x timeout; each ICMP costs `timeout` tokens and is sent only if
//   the bucket holds at least that many. A new entry starts 60 s old, so with a full bucket.
//   timeout is net.ipv4.icmp_ratelimit (1000 ms by default; 0 = no limit) for ICMPv4
//   (icmpv4_xrlim_allow). ICMPv6 (icmpv6_xrlim_allow) takes net.ipv6.icmp.ratelimit and
//   shifts it right by (128 - prefix length of the route back to the host) / 32, giving wider
//   prefixes more: a /64 gets a quarter, 250 ms.
// - IPv4 only: a route of type unreachable, or no route at all, is answered by ip_error
//   (net/ipv4/route.c), which rate-limits first, on the SAME inet_peer fields (the host that
//   sent the segment is the host the ICMP goes to): burst 5 x HZ, cost HZ (one second per
//   ICMP), whatever icmp_ratelimit says. icmp_send then charges icmp_ratelimit again. On a
//   stock router an ICMP therefore costs 2 s of tokens, and a segment that finds between
//   one and two seconds' worth spends one second's worth in ip_error and is then suppressed
//   by icmpv4_xrlim_allow (counted in Icmp.OutRateLimitHost). With icmp_ratelimit 0 the
//   limit left is ip_error's: a burst of 5, then one ICMP a second.
// - The ratemask (net.ipv4.icmp_ratemask, default 6168) includes destination unreachable, so
//   the limiter applies. The global limiter (icmp_msgs_per_sec 1000, icmp_msgs_burst 50) is
//   far from the handful of ICMPs a connection provokes and is left out.
//
// Measured in the lab (tcpdump in the router, nstat), host-unreachable with a writer sending
// every 200 ms and TCP_USER_TIMEOUT 3000 on a stock router: ICMPs answer the sends at +150 and
// +350 ms; the tail loss probe at +356 and the RTO retransmission at +1820 ms are suppressed
// (Icmp.OutRateLimitHost 2); the next ICMP answers the retransmission at +3488 ms.
// Left out: several connections from one client host share one bucket (keepalive probes of
// an idle connection spend tokens the writer's retransmissions then lack).

/** net.ipv4.icmp_ratelimit and net.ipv6.icmp.ratelimit on a stock kernel. */
export const DEFAULT_ICMP_RATELIMIT_MS = 1000;
/** XRLIM_BURST_FACTOR in net/ipv4/inetpeer.c. */
const XRLIM_BURST_FACTOR = 6;
/** A new inet_peer entry's rate_last is set 60 s in the past: its bucket starts full. */
const NEW_PEER_AGE_S = 60;

export interface RouterIcmpLimit {
  family: "ipv4" | "ipv6";
  /** net.ipv4.icmp_ratelimit or net.ipv6.icmp.ratelimit, in ms (0 = no per-host limit). */
  ratelimitMs: number;
  hz: number;
  /** IPv6: the prefix length of the router's route back to the client (the lab's is /64). */
  prefixLen?: number;
}

/** One answer of the limiter: was an ICMP sent, and if not, which check stopped it. */
export type IcmpFate = "sent" | "ip_error" | "xrlim";

/** The per-host timeout in jiffies that icmpv4_xrlim_allow / icmpv6_xrlim_allow charge. */
export function xrlimTimeoutJiffies(limit: RouterIcmpLimit): number {
  // proc_dointvec_ms_jiffies: msecs_to_jiffies, rounding up.
  const jiffies = Math.max(0, Math.ceil((limit.ratelimitMs * limit.hz) / 1000 - 1e-9));
  if (limit.family === "ipv4") return jiffies;
  const plen = limit.prefixLen ?? 64;
  return plen < 128 ? jiffies >> ((128 - plen) >> 5) : jiffies;
}

/**
 * A limiter for one client host, fed the times (ms, any origin, non-decreasing) at which
 * segments for the unreachable server reach the router. Stateful, like the inet_peer entry.
 */
export function routerIcmpLimiter(limit: RouterIcmpLimit): (atMs: number) => IcmpFate {
  const { hz } = limit;
  const timeout = xrlimTimeoutJiffies(limit);
  const errorCost = hz;
  const errorBurst = 5 * hz;
  let tokens = 0;
  let last: number | null = null;
  return (atMs) => {
    const now = Math.floor((atMs * hz) / 1000 + 1e-9);
    const delta = last === null ? NEW_PEER_AGE_S * hz : now - last;
    last = now;
    if (limit.family === "ipv4") {
      // ip_error: accrue, cap at the burst, charge one error_cost or refuse.
      tokens = Math.min(tokens + delta, errorBurst);
      if (tokens < errorCost) return "ip_error";
      tokens -= errorCost;
      // icmpv4_xrlim_allow right after: no jiffy has passed, so no accrual and no cap.
      if (tokens < timeout) return "xrlim";
      tokens -= timeout;
      return "sent";
    }
    if (delta > 0) tokens = Math.min(tokens + delta, XRLIM_BURST_FACTOR * timeout);
    if (tokens < timeout) return "xrlim";
    tokens -= timeout;
    return "sent";
  };
}
