// host-unreachable / net-unreachable: the server host is gone and the router says so. With a
// host route of type `unreachable` it answers each segment with ICMP host unreachable; with
// no route at all, ICMP net unreachable. TCP treats these as soft errors (RFC 1122): the
// connection keeps retransmitting, and only when the timer gives up does the call fail, with
// EHOSTUNREACH or ENETUNREACH instead of ETIMEDOUT. The router rate-limits its ICMPs, answers
// to segments sent from send() are dropped under the socket lock, and answers to
// retransmissions revert the RTO backoff (RFC 6069): see predict/icmp-revert.ts. With
// IP_RECVERR (--recverr) the first answer that finds the socket unlocked fails the call at
// once. Over IPv6 both report ENETUNREACH (ICMPv6 no route).
import { nowMs } from "../clock.js";
import { icmpUnreachable } from "../predict/index.js";
import type { Fault } from "./fault.js";

function unreachable(kind: "host" | "net"): Fault {
  return {
    name: `${kind}-unreachable`,
    observers: ["client"],
    serverMayDie: true,
    foreignServer: "as-is",
    // ICMPv6 has no "host unreachable" for a missing route: an `unreachable` route answers
    // "no route to destination", which the client reports as ENETUNREACH.
    wire: ({ settings }) =>
      icmpUnreachable(kind === "host" && !settings.ipv6 ? "EHOSTUNREACH" : "ENETUNREACH"),
    async inject({ lab }) {
      const at = nowMs();
      if (kind === "host") await lab.rejectWithIcmp("server");
      await lab.cutLink("server");
      await lab.killHost("server");
      return { at };
    },
  };
}

export const hostUnreachable = unreachable("host");
export const netUnreachable = unreachable("net");
