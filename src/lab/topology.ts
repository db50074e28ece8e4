// What wires the lab: veth pairs created inside the router's namespace (their far ends are
// moved straight into the client's and the server's), addresses from the plan, and on each end
// host one route, to the other lab subnet, via the router. Nothing else. The steps are sent to
// the kernel as rtnetlink requests from tcpdrop's own process (rtnetlink.ts).

import { nowMs, sleep } from "../clock.js";
import { SetupError } from "../errors.js";
import type { AddressPlan } from "./addresses.js";
import type { Host } from "./host.js";
import { applySteps, linksUp, type NetStep } from "./rtnetlink.js";
import { hostSysctls } from "./sysctl.js";

export async function wire(
  plan: AddressPlan,
  hosts: { client: Host; router: Host; server: Host },
  clientSysctls: Record<string, string>,
  icmpRatelimitMs: number | null = null,
): Promise<Record<string, string>> {
  const { client, router, server } = hosts;
  await Promise.all([client, router, server].map((host) => prepareHost(plan, host)));
  applySteps(router.netns, routerSteps(plan, client.netns, server.netns), "wire the router");
  applySteps(client.netns, hostConfig(plan, "client"), "configure the client");
  applySteps(server.netns, hostConfig(plan, "server"), "configure the server");
  const routerEndsUp = untilLinksUp(router, ["c0", "s0"], "wire the router");
  // The router forwards and answers what it cannot deliver with ICMP, rate-limited as on a
  // stock router unless --icmp-ratelimit says otherwise (0 = off): see predict/icmp-ratelimit.ts.
  const forwarding: Record<string, string> =
    plan.family === "ipv6"
      ? {
          "net.ipv6.conf.all.forwarding": "1",
          ...icmpRatelimit(ROUTER_ICMP_SYSCTL.ipv6, icmpRatelimitMs),
        }
      : { "net.ipv4.ip_forward": "1", ...icmpRatelimit(ROUTER_ICMP_SYSCTL.ipv4, icmpRatelimitMs) };
  // The router's limit as it is after setup, for the report and the model.
  const [routerSysctls] = await Promise.all([
    hostSysctls(router, forwarding, [ROUTER_ICMP_SYSCTL[plan.family]]),
    hostSysctls(client, clientSysctls),
    routerEndsUp,
  ]);
  return routerSysctls;
}

/** The router's ICMP rate limit per destination (ms), by address family. */
export const ROUTER_ICMP_SYSCTL = {
  ipv4: "net.ipv4.icmp_ratelimit",
  ipv6: "net.ipv6.icmp.ratelimit",
} as const;

function icmpRatelimit(key: string, ms: number | null): Record<string, string> {
  return ms === null ? {} : { [key]: String(ms) };
}

/**
 * Before any link exists. IPv4 lab: no IPv6 at all on its interfaces (not even link-local
 * addresses: documentation addresses only). IPv6 lab: no duplicate address detection, so that
 * addresses, link-local ones included (neighbour discovery uses them), work at once instead of
 * after ~2 s of lost packets and SYN retransmissions.
 */
export function prepareHost(plan: AddressPlan, host: Host): Promise<unknown> {
  const conf = (key: string, value: string) => ({
    [`net.ipv6.conf.default.${key}`]: value,
    [`net.ipv6.conf.all.${key}`]: value,
  });
  return hostSysctls(
    host,
    plan.family === "ipv6" ? conf("accept_dad", "0") : conf("disable_ipv6", "1"),
  );
}

/** The router's links: one veth pair to each end host, made here, the far end moved there. */
export function routerSteps(
  plan: AddressPlan,
  clientNetns: string,
  serverNetns: string,
): NetStep[] {
  return [
    { op: "veth", name: "c0", peer: "eth0", peerNetns: clientNetns },
    { op: "up", name: "lo" },
    address(plan, "c0", plan.routerClient),
    { op: "up", name: "c0" },
    ...routerServerSide(plan, serverNetns),
  ];
}

/** A rebooted server's new namespace, linked to the router as the old one was. */
export async function reconnectServer(
  plan: AddressPlan,
  router: Host,
  server: Host,
): Promise<void> {
  applySteps(router.netns, routerServerSide(plan, server.netns), "reconnect the server");
  applySteps(server.netns, hostConfig(plan, "server"), "configure the rebooted server");
  await untilLinksUp(router, ["s0"], "reconnect the server");
}

/** How long the kernel's link-watch work may take: it runs at most once a second when busy. */
const LINK_UP_BOUND_MS = 3000;

/**
 * Until the router's ends of the veth pairs carry traffic. Each was brought up before its far
 * end, so without a carrier. When the far end comes up the kernel turns both carriers on, but
 * starts the router end's transmit queue only in its link-watch work, a moment later, which
 * also sets the link's operational state to UP; what that end sends before then is dropped.
 * Without this check, `run peer-close --detect recv --packets off` repeated on a machine busy
 * making and deleting other namespaces now and then connected a second late (a lost first
 * exchange, retransmitted after its one-second timeout); with it, not once in as many runs
 * (312d685 has the counts). The kernel answered UP at the first ask in those runs: asking
 * (RTM_GETLINK) was enough to order the run after the link-watch work under way.
 */
async function untilLinksUp(router: Host, names: string[], what: string): Promise<void> {
  const giveUp = nowMs() + LINK_UP_BOUND_MS;
  while (!linksUp(router.netns, names)) {
    if (nowMs() > giveUp)
      throw new SetupError(
        `lab step "${what}": ${names.join(" and ")} not up after ${LINK_UP_BOUND_MS / 1000} s`,
      );
    await sleep(1);
  }
}

/** The router's side of the server link (again after a reboot). */
export function routerServerSide(plan: AddressPlan, serverNetns: string): NetStep[] {
  return [
    { op: "veth", name: "s0", peer: "eth0", peerNetns: serverNetns },
    address(plan, "s0", plan.routerServer),
    { op: "up", name: "s0" },
  ];
}

function address(plan: AddressPlan, name: string, ip: string): NetStep {
  return { op: "address", name, cidr: `${ip}/${plan.prefix}`, nodad: plan.nodad };
}

/** An end host: its address, and a route to the other lab subnet only (no default route). */
export function hostConfig(plan: AddressPlan, role: "client" | "server"): NetStep[] {
  const [ip, gateway, other] =
    role === "client"
      ? [plan.client, plan.routerClient, plan.serverSubnet]
      : [plan.server, plan.routerServer, plan.clientSubnet];
  return [
    { op: "up", name: "lo" },
    address(plan, "eth0", ip),
    { op: "up", name: "eth0" },
    { op: "route", to: other, via: gateway },
  ];
}
