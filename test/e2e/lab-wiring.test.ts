// End to end, as root: the lab that tcpdrop wires with rtnetlink requests (src/lab/rtnetlink.ts)
// is the lab that the ip commands those requests stand for make. Two labs are built side by
// side, one each way, and iproute2 itself reads both back: links, addresses and routes.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SetupError } from "../../src/errors.js";
import { type AddressPlan, IPV4, IPV6 } from "../../src/lab/addresses.js";
import { Host } from "../../src/lab/host.js";
import { applySteps, asIp, linksUp, type NetStep } from "../../src/lab/rtnetlink.js";
import { hostConfig, prepareHost, routerSteps, wire } from "../../src/lab/topology.js";
import { isRoot } from "./helpers.js";

type Hosts = { client: Host; router: Host; server: Host };

async function threeHosts(): Promise<Hosts> {
  const [client, router, server] = await Promise.all(
    ["client", "router", "server"].map((name) => Host.start(name)),
  );
  return { client, router, server };
}

function ip(host: Host, args: string[], input?: string): string {
  return execFileSync("nsenter", [`--net=${host.netns}`, "ip", ...args], {
    encoding: "utf8",
    input,
  });
}

/** The same lab wired by `ip -batch`, with the commands asIp() names for each step. */
async function wireWithIp(plan: AddressPlan, hosts: Hosts): Promise<void> {
  await Promise.all(Object.values(hosts).map((host) => prepareHost(plan, host)));
  const batch = (host: Host, steps: NetStep[]) =>
    ip(host, ["-batch", "-"], steps.map((step) => asIp(step).replace(/^ip /, "")).join("\n"));
  batch(hosts.router, routerSteps(plan, hosts.client.netns, hosts.server.netns));
  batch(hosts.client, hostConfig(plan, "client"));
  batch(hosts.server, hostConfig(plan, "server"));
}

/** What iproute2 reads back from a host, less what differs between any two labs (MACs...). */
function state(host: Host): unknown {
  const json = (args: string[]) => JSON.parse(ip(host, ["-j", ...args]));
  const links = json(["-d", "link", "show"]).map(
    (l: Record<string, unknown> & { linkinfo?: { info_kind?: string } }) => ({
      name: l.ifname,
      index: l.ifindex,
      peerIndex: l.link_index,
      flags: l.flags,
      operstate: l.operstate,
      mtu: l.mtu,
      kind: l.linkinfo?.info_kind,
    }),
  );
  const addresses = json(["addr", "show"]).flatMap(
    (l: { ifname: string; addr_info: Record<string, unknown>[] }) =>
      l.addr_info
        .filter((a) => a.scope !== "link") // link-local: from the MAC
        .map((a) => `${l.ifname} ${a.local}/${a.prefixlen} ${a.scope} ${a.nodad ? "nodad" : ""}`),
  );
  const routes = [...json(["route", "show"]), ...json(["-6", "route", "show"])]
    .filter((r: { dst: string }) => !r.dst.startsWith("fe80::"))
    .map((r: Record<string, unknown>) => JSON.stringify(r));
  return { links, addresses: addresses.sort(), routes: routes.sort() };
}

/** The kernel updates a link's operational state within a second of a change (linkwatch). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1200));

describe.skipIf(!isRoot)("the lab wired with rtnetlink", () => {
  for (const plan of [IPV4, IPV6]) {
    it(`is the lab ip makes (${plan.family})`, async () => {
      const ours = await threeHosts();
      const theirs = await threeHosts();
      try {
        await wire(plan, ours, {});
        // the lab counts as wired once the router's ends carry traffic (topology.ts)
        expect(linksUp(ours.router.netns, ["c0", "s0"])).toBe(true);
        expect(linksUp(ours.router.netns, ["c0", "nowhere0"])).toBe(false);
        await wireWithIp(plan, theirs);
        await settle();
        for (const name of ["client", "router", "server"] as const)
          expect(state(ours[name]), name).toEqual(state(theirs[name]));
        const router = state(ours.router) as { addresses: string[] };
        expect(router.addresses).toContain(
          `c0 ${plan.routerClient}/${plan.prefix} global ${plan.nodad ? "nodad" : ""}`,
        );
      } finally {
        for (const host of [...Object.values(ours), ...Object.values(theirs)]) host.kill();
      }
    });
  }

  it("a request the kernel refuses is a setup error naming the step, the command and the errno", async () => {
    const host = await Host.start("router");
    try {
      expect(() => applySteps(host.netns, [{ op: "up", name: "nowhere0" }], "bring up")).toThrow(
        new SetupError('lab step "bring up" failed: ip link set nowhere0 up: ENODEV'),
      );
      const twice: NetStep = { op: "address", name: "lo", cidr: "198.51.100.9/32", nodad: false };
      applySteps(host.netns, [twice], "once");
      expect(() => applySteps(host.netns, [twice], "twice")).toThrow(
        /lab step "twice" failed: ip addr add 198.51.100.9\/32 dev lo: EEXIST/,
      );
      expect(() =>
        applySteps(
          host.netns,
          [{ op: "address", name: "eth9", cidr: "198.51.100.9/24", nodad: false }],
          "x",
        ),
      ).toThrow(/ip addr add 198.51.100.9\/24 dev eth9: no link eth9/);
    } finally {
      host.kill();
    }
  });
});
