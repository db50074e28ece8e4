// The words of a prediction for a writer behind an unreachable route: what the router
// answered, what the answers did, and which timer or report ended the call.
import { round1 } from "./basis.js";
import type { IcmpWriterOutcome } from "./icmp-revert.js";

function limitWords(ratelimitMs: number): string {
  return ratelimitMs === 0
    ? "router without a per-host ICMP limit"
    : `router limiting ICMP to one per ${ratelimitMs} ms per host`;
}

export function icmpWriterBasis(
  sim: IcmpWriterOutcome,
  timerBasis: string,
  errno: string,
  ratelimitMs: number,
): string {
  const answered = sim.segments.filter((s) => s.effect !== "ip_error" && s.effect !== "xrlim");
  const reverts = sim.segments.filter((s) => s.effect === "reverted").length;
  const limited = sim.segments.length - answered.length;
  const counts = `${answered.length} of ${sim.segments.length} segments answered (${limited} rate-limited)`;
  if (sim.by === "recverr") {
    return `IP_RECVERR, ${limitWords(ratelimitMs)}: ${counts}; the first answer that finds the socket unowned, at ${round1(sim.atMs)} ms, fails the call at once`;
  }
  return (
    `${timerBasis}, ${limitWords(ratelimitMs)}: ${counts}; ${reverts} answer(s) to retransmissions ` +
    `revert the RTO backoff (RFC 6069) and re-arm the timer unclamped; it gives up with ${errno}`
  );
}
