// host-unreachable / net-unreachable: the server host is gone and the router says so. With a
// host route of type `unreachable` it answers each segment with ICMP host unreachable; with
// no route at all, ICMP net unreachable. TCP treats these as soft errors (RFC 1122): the
// connection keeps retransmitting, and only when the timer gives up does the call fail, with
// EHOSTUNREACH or ENETUNREACH instead of ETIMEDOUT. With IP_RECVERR (--recverr) the first
// ICMP fails the next call at once. Over IPv6 both report ENETUNREACH (ICMPv6 no route).
import { type Fault, nowMs } from "./fault.js";

export function unreachable(kind: "host" | "net"): Fault {
  return {
    async inject({ lab }) {
      const at = nowMs();
      await lab.unreachableServer(kind);
      return { at };
    },
    // ICMPv6 has no "host unreachable" for a missing route: an `unreachable` route answers
    // "no route to destination", which the client reports as ENETUNREACH.
    wire: (settings) => ({
      kind: "icmp",
      errno: kind === "host" && !settings.ipv6 ? "EHOSTUNREACH" : "ENETUNREACH",
    }),
  };
}
