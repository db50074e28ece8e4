// The router's ICMP limiter keeps one token bucket per destination host (inet_peer): every
// connection of the client host whose segments the router answers draws from the same bucket.
// The model (predict/icmp-revert.ts) follows one connection's segments alone. When other
// watched connections also send after the fault (writers, heartbeats, urgent probes, or
// keepalive probes of idle ones), they spend tokens the model gives to this one: measured with
// --keepalive 1,1,2 and TCP_USER_TIMEOUT 3000, the writer ended at 3.57 s instead of 5.1 s.
// Over IPv4 the router's ip_error keeps its own limit on the same entry (a burst of 5, then one
// ICMP a second) even with --icmp-ratelimit 0; over IPv6, 0 leaves no limit to share.
// Such a prediction is marked uncertain, with the reason, rather than presented as exact.
import { DEFAULT_ICMP_RATELIMIT_MS } from "../predict/icmp-ratelimit.js";
import type { WireEffect } from "../predict/index.js";
import type { KernelParams, Prediction } from "../types.js";
import { sends, type Watched } from "./watched.js";

type Connection = Pick<Watched, "id" | "workload" | "settings">;

/** Does this connection send segments after the fault, which the router answers with ICMP? */
export function drawsIcmp(w: Connection): boolean {
  return sends(w.workload) || w.settings.keepalive !== null;
}

/** The prediction, marked uncertain when other connections share its router's ICMP budget. */
export function sharedIcmpBudget(
  p: Prediction,
  wire: WireEffect,
  kernel: KernelParams,
  self: Connection,
  others: Connection[],
): Prediction {
  const limitMs = kernel.icmpRatelimitMs ?? DEFAULT_ICMP_RATELIMIT_MS;
  const ipv6 = self.settings.ipv6 ?? false;
  // Only a sender's time follows the limiter (an idle socket ignores the ICMP answers).
  if (wire.kind !== "icmp" || (ipv6 && limitMs === 0) || p.result === null) return p;
  if (!sends(self.workload)) return p;
  if (p.call === "heartbeat") return p; // the application's own clock, not the ICMP
  const sharers = others.filter((o) => o.id !== self.id && drawsIcmp(o));
  if (sharers.length === 0) return p;
  const names =
    sharers.length > 3
      ? `${sharers.length} other connections`
      : sharers.map((o) => o.id).join(", ");
  const budget =
    limitMs > 0
      ? `one ICMP per ${limitMs} ms${ipv6 ? "" : " after ip_error's own limit"}`
      : "ip_error's burst of 5, then one ICMP a second";
  const one = sharers.length === 1;
  return {
    ...p,
    uncertain:
      `${names} also ${one ? "sends" : "send"} to the unreachable host and ` +
      `${one ? "spends" : "spend"} the router's per-host ICMP budget (${budget}), ` +
      "which the model gives to this connection alone",
  };
}
