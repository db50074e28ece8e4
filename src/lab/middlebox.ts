// The router as a stateful middlebox, built from the kernel's own parts in the router's
// namespace only: conntrack (its timeouts and loose pickup are per-namespace sysctls) and an
// nftables rule set loaded with the distribution's `nft -f -`. The verbs here know no fault by
// name: a fault composes them. The rules live in one table of the router's namespace and die
// with it; the machine's own tables are never touched.
//
// On the wire, as measured in the lab (nf_conntrack_tcp_loose=0): a segment of a flow that
// conntrack has forgotten (expired or flushed) is INVALID; the forward chain then answers it
// with a TCP RST (`reject with tcp reset`, to its sender only) or drops it. With loose=1 the
// same segment is NEW and is adopted mid-stream when the chain accepts NEW.
import { SetupError } from "../errors.js";
import type { AddressPlan } from "./addresses.js";
import { inNamespace } from "./exec.js";
import type { Host } from "./host.js";
import { hostSysctls } from "./sysctl.js";

/** The one table tcpdrop creates, in the router's namespace only. */
export const TABLE = "tcpdrop";

export const MIDDLEBOX_TOOLS = [
  { name: "nft", pkg: "nftables" },
  { name: "conntrack", pkg: "conntrack" },
];

/** What the forward chain does with a segment of a flow conntrack does not know. */
export type Forgotten = "reset" | "drop" | "adopt";

export interface ConntrackSettings {
  /** net.netfilter.nf_conntrack_tcp_timeout_established: forget an idle flow after it. */
  establishedTimeoutS?: number;
  /** net.netfilter.nf_conntrack_tcp_loose: pick up a flow mid-stream (true) or not. */
  loose?: boolean;
}

/** The sysctls for `settings` (pure). */
export function conntrackSysctls(settings: ConntrackSettings): Record<string, string> {
  const out: Record<string, string> = {};
  const { establishedTimeoutS, loose } = settings;
  if (establishedTimeoutS !== undefined) {
    if (!Number.isInteger(establishedTimeoutS) || establishedTimeoutS < 1)
      throw new SetupError(
        `bad conntrack timeout ${establishedTimeoutS}: whole seconds, 1 or more`,
      );
    out["net.netfilter.nf_conntrack_tcp_timeout_established"] = String(establishedTimeoutS);
  }
  if (loose !== undefined) out["net.netfilter.nf_conntrack_tcp_loose"] = loose ? "1" : "0";
  return out;
}

/**
 * The forward chain of a stateful firewall: known flows pass, a SYN may open a new one, and a
 * segment of a forgotten flow is reset, dropped, or (with loose pickup) adopted as NEW.
 */
export function statefulForward(forgotten: Forgotten): string {
  const last = {
    reset: ["meta l4proto tcp reject with tcp reset"],
    drop: [],
    adopt: ["ct state new accept"],
  }[forgotten];
  return chain("forward", "filter hook forward priority filter; policy drop", [
    "ct state established,related accept",
    "tcp flags syn / fin,syn,rst,ack ct state new accept",
    ...(forgotten === "adopt" ? [] : ["ct state invalid counter"]),
    ...last,
  ]);
}

/**
 * NAT: the client's subnet leaves towards the server with the router's address (the port is
 * kept where free). A segment from the server for a forgotten mapping is addressed to the
 * router itself; `ct state invalid drop` in input keeps the router's own TCP from answering it
 * with RST, so the NAT stays silent both ways.
 */
export function masquerade(plan: AddressPlan, serverLink: string): string {
  const ip = plan.family === "ipv6" ? "ip6" : "ip";
  return [
    chain("postrouting", "nat hook postrouting priority srcnat; policy accept", [
      `${ip} saddr ${plan.clientSubnet} oifname "${serverLink}" masquerade`,
    ]),
    chain("input", "filter hook input priority filter; policy accept", ["ct state invalid drop"]),
  ].join("\n");
}

/** A whole rule set: tcpdrop's table with the given chains, replacing any earlier one. */
export function ruleset(chains: string[]): string {
  return [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    ...chains,
    "}",
  ].join("\n");
}

function chain(name: string, hook: string, rules: string[]): string {
  return [`  chain ${name} {`, `    type ${hook};`, ...rules.map((r) => `    ${r}`), "  }"].join(
    "\n",
  );
}

/** Set conntrack's timeouts and loose pickup in the host's (the router's) namespace. */
export async function tuneConntrack(host: Host, settings: ConntrackSettings): Promise<void> {
  await hostSysctls(host, conntrackSysctls(settings));
}

/** Load a rule set (ruleset()) with `nft -f -` inside the host's namespace. */
export function loadRules(host: Host, rules: string, what: string): Promise<void> {
  return inNamespace(host, ["nft", "-f", "-"], rules, what);
}

/** Forget every flow at once, as a failover or a reload does: `conntrack -F`. */
export function flushConntrack(host: Host): Promise<void> {
  return inNamespace(host, ["conntrack", "-F"], "", "flush the connection table");
}
