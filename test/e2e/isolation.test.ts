// End to end, as root: while a host-crash run is in progress, look at its lab from outside,
// namespace by namespace (nsenter into each namespace the run's processes hold), and prove the
// lab never reaches the machine: its own namespaces, only loopback and veth pairs between lab
// namespaces, documentation addresses only, no default route and no route out of the two lab
// subnets; and the machine's links, addresses, routes and sysctls untouched during and after.
import { execFile } from "node:child_process";
import { readdirSync, readlinkSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { isRoot } from "./helpers.js";
import {
  hostOf,
  isAgent,
  machineNetns,
  machineState,
  netnsOf,
  settleTo,
  Watched,
} from "./process-tree.js";

const run = promisify(execFile);

interface Link {
  ifindex: number;
  ifname: string;
  link_type: string;
  link_index?: number;
  link_netnsid?: number;
  linkinfo?: { info_kind?: string };
}
interface AddrInfo {
  family: "inet" | "inet6";
  local: string;
  prefixlen: number;
  scope: string;
}
interface Route {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  table?: string;
}
interface Namespace {
  ns: string;
  /** A path to the namespace: a process's /proc/PID/ns/net, or a descriptor tcpdrop holds. */
  path: string;
  /** The links as they were at the end of the look (for the veth pairing). */
  links: Link[];
  /** Every link seen during the look (for the kind of each link). */
  seenLinks: Link[];
  addrs: (AddrInfo & { dev: string })[];
  routes4: Route[];
  routes6: Route[];
}

/** One look at the lab: every namespace held by the run's processes, as `ip -j` sees it. */
interface Sample {
  at: number;
  namespaces: Namespace[];
  /** The machine's own links (names and indexes) at the time of the sample. */
  machineLinks: string;
  /** Processes of the run that run their own program in the machine's namespace. */
  inMachineNetns: string[];
  agents: { host: string; ns: string | null }[];
}

const ipJson = async (path: string, args: string[]) =>
  JSON.parse((await run("nsenter", [`--net=${path}`, "--", "ip", "-j", ...args])).stdout || "[]");

const readlinkOr = (path: string) => {
  try {
    return readlinkSync(path);
  } catch {
    return null;
  }
};

/** Namespaces a process holds by descriptor (tcpdrop holds its lab hosts so), with a path to each. */
function heldByFd(pid: number): [string, string][] {
  try {
    return readdirSync(`/proc/${pid}/fd`).flatMap((fd): [string, string][] => {
      const path = `/proc/${pid}/fd/${fd}`;
      const ns = readlinkOr(path);
      return ns?.startsWith("net:[") ? [[ns, path]] : [];
    });
  } catch {
    return [];
  }
}

const machineLinks = async () =>
  (JSON.parse((await run("ip", ["-j", "link", "show"])).stdout) as Link[])
    .map((l) => `${l.ifindex}:${l.ifname}`)
    .join(" ");

async function sample(w: Watched): Promise<Sample> {
  const at = w.elapsed();
  const procs = w.scan();
  // unshare and nsenter are in the machine's namespace until they switch and exec, and so
  // is a child forked by tcpdrop that has not exec'd yet (it still shows tcpdrop's argv)
  const tool = w.child.spawnargs.join(" ");
  const launched = procs.filter(
    (p) => p.argv.length > 0 && !/^(unshare|nsenter)$/.test(p.argv[0]) && p.argv.join(" ") !== tool,
  );
  const holders = new Map<string, string>();
  const inMachineNetns: string[] = [];
  for (const p of launched) {
    const ns = netnsOf(p.pid);
    if (ns === null) continue;
    if (ns === machineNetns()) inMachineNetns.push(`${p.pid}: ${p.argv.join(" ")}`);
    else if (!holders.has(ns)) holders.set(ns, `/proc/${p.pid}/ns/net`);
  }
  // tcpdrop holds its lab hosts by descriptor, and makes their sockets itself
  for (const pid of [w.child.pid as number, ...launched.map((p) => p.pid)]) {
    for (const [ns, path] of heldByFd(pid)) {
      if (ns !== machineNetns() && !holders.has(ns)) holders.set(ns, path);
    }
  }
  const looked = await Promise.all(
    [...holders].map(async ([ns, path]): Promise<Namespace | null> => {
      try {
        // links before and after the rest: a link added or deleted meanwhile (the wiring,
        // the crash) is then known to the address and route checks
        const linksBefore: Link[] = await ipJson(path, ["-d", "link", "show"]);
        const [addrs, routes4, routes6] = await Promise.all([
          ipJson(path, ["addr", "show"]),
          ipJson(path, ["-4", "route", "show", "table", "all"]),
          ipJson(path, ["-6", "route", "show", "table", "all"]),
        ]);
        const links: Link[] = await ipJson(path, ["-d", "link", "show"]);
        const known = new Set(links.map((l) => `${l.ifindex}:${l.ifname}`));
        const seenLinks = [
          ...links,
          ...linksBefore.filter((l) => !known.has(`${l.ifindex}:${l.ifname}`)),
        ];
        // the process may have ended (its PID reused) while we looked: then this look is void
        if (readlinkOr(path) !== ns) return null;
        const flat = (addrs as { ifname: string; addr_info: AddrInfo[] }[]).flatMap((l) =>
          l.addr_info.map((a) => ({ ...a, dev: l.ifname })),
        );
        return { ns, path, links, seenLinks, addrs: flat, routes4, routes6 };
      } catch {
        return null; // the namespace went away meanwhile (the crash, the teardown)
      }
    }),
  );
  return {
    at,
    namespaces: looked.filter((n): n is Namespace => n !== null),
    machineLinks: await machineLinks(),
    inMachineNetns,
    agents: procs.filter((p) => isAgent(p)).map((p) => ({ host: hostOf(p), ns: netnsOf(p.pid) })),
  };
}

const ipv4 = (a: string) => a.split(".").reduce((n, o) => n * 256 + Number(o), 0);
function inV4(addr: string, cidr: string): boolean {
  const [net, bits] = cidr.split("/");
  const [ip, len = "32"] = addr.split("/");
  if (Number(len) < Number(bits)) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(net) / size);
}
const LAB_V4 = ["198.51.100.0/24", "203.0.113.0/24"];
const LOOPBACK_V4 = "127.0.0.0/8";
const labOrLoopback = (a: string) => [...LAB_V4, LOOPBACK_V4].some((c) => inV4(a, c));
/**
 * IPv6 the kernel configures on its own on every link it brings up: fe80::/64 link-local
 * addresses (with their local routes), the fe80::/64 route and the ff00::/8 multicast route. Link scope: they cannot leave the
 * veth pair (both ends in the lab). Tolerated on veths only; see the report (tcpdrop could
 * disable IPv6 in its namespaces).
 */
const isLinkLocal6 = (a: string) => /^fe80:/i.test(a);

/** Everything wrong with one namespace of the lab, as readable lines (empty: all good). */
function namespaceProblems(n: Namespace, veths: Set<string>): string[] {
  const bad: string[] = [];
  const where = (what: string) => bad.push(`${n.ns} (${n.path}): ${what}`);
  for (const l of n.seenLinks) {
    const loopback = l.ifname === "lo" && l.link_type === "loopback";
    if (!loopback && l.linkinfo?.info_kind !== "veth")
      where(`link ${l.ifname} is ${l.linkinfo?.info_kind ?? l.link_type}, not lo or veth`);
  }
  for (const a of n.addrs) {
    const ok =
      a.family === "inet"
        ? a.dev === "lo"
          ? inV4(a.local, LOOPBACK_V4)
          : LAB_V4.some((c) => inV4(`${a.local}/${a.prefixlen}`, c))
        : a.dev === "lo"
          ? a.local === "::1"
          : isLinkLocal6(a.local) && a.scope === "link" && veths.has(a.dev);
    if (!ok) where(`address ${a.local}/${a.prefixlen} on ${a.dev}`);
  }
  for (const r of n.routes4) {
    const text = JSON.stringify(r);
    if (r.dst === "default") where(`default route ${text}`);
    else if (!labOrLoopback(r.dst)) where(`route out of the lab ${text}`);
    else if (r.gateway && !LAB_V4.some((c) => inV4(r.gateway as string, c)))
      where(`route via a gateway outside the lab ${text}`);
    else if (r.type === "blackhole" && r.dst !== "203.0.113.2") where(`blackhole ${text}`);
    else if (inV4(r.dst, LOOPBACK_V4) && r.dev !== "lo") where(`loopback route off lo ${text}`);
  }
  for (const r of n.routes6) {
    const text = JSON.stringify(r);
    const ok =
      (r.dst === "::1" && r.dev === "lo") ||
      (!r.gateway &&
        veths.has(r.dev ?? "") &&
        (r.dst === "fe80::/64" ||
          r.dst === "ff00::/8" ||
          (r.type === "local" && isLinkLocal6(r.dst))));
    if (!ok) where(`IPv6 route ${text}`);
  }
  return bad;
}

/**
 * Veths whose peer is not a veth in another namespace of this lab (the peer's ifindex is its
 * link_index, and its own link_index points back): such a peer could be the machine's.
 */
function unpairedVeths(s: Sample): string[] {
  const veths = s.namespaces.flatMap((n) =>
    n.links.filter((l) => l.linkinfo?.info_kind === "veth").map((l) => ({ ns: n.ns, l })),
  );
  return veths
    .filter(
      ({ ns, l }) =>
        l.link_netnsid === undefined ||
        !veths.some(
          (o) => o.ns !== ns && o.l.ifindex === l.link_index && o.l.link_index === l.ifindex,
        ),
    )
    .map(
      ({ ns, l }) => `${ns}: ${l.ifname} (peer ifindex ${l.link_index}, nsid ${l.link_netnsid})`,
    );
}

const hasAddr = (n: Namespace, ip: string) => n.addrs.some((a) => a.local === ip);

describe.skipIf(!isRoot)("isolation: the lab never reaches outside itself", () => {
  it("host-crash --window 3, seen from outside while it runs, and the machine after", async () => {
    const before = machineState();
    const beforeLinks = await machineLinks();
    // --pre-fault 1000: the wired lab stands long enough before the crash to be looked at
    const w = new Watched(["run", "host-crash", "--window", "3", "--pre-fault", "1000"]);
    let done = false;
    w.exit.then(() => {
      done = true;
    });
    const samples: Sample[] = [];
    const unpaired: string[][] = [];
    while (!done) {
      const s = await sample(w);
      let lonely = unpairedVeths(s);
      if (lonely.length > 0 && !done) {
        // the namespaces are looked at one after the other: a link may have been added or
        // deleted (the crash) in between. Look again at once: a real stray veth stays.
        const again = await sample(w);
        lonely = unpairedVeths(again).filter((v) => lonely.includes(v));
        samples.push(again);
      }
      unpaired.push(lonely);
      samples.push(s);
    }
    const exit = await w.exit;
    expect(exit.code).toBe(0);

    // the looks saw the lab before the fault (all three hosts wired) and after it
    // (the router blackholing the crashed server)
    const wired = samples.filter(
      (s) =>
        s.namespaces.some((n) => hasAddr(n, "198.51.100.2")) &&
        s.namespaces.some((n) => hasAddr(n, "198.51.100.1") && hasAddr(n, "203.0.113.1")) &&
        s.namespaces.some((n) => hasAddr(n, "203.0.113.2")),
    );
    expect(wired.length).toBeGreaterThan(0);
    expect(
      samples.some((s) =>
        s.namespaces.some((n) =>
          n.routes4.some((r) => r.type === "blackhole" && r.dst === "203.0.113.2"),
        ),
      ),
    ).toBe(true);
    // three hosts: three distinct namespaces in the wired lab, none of them the machine's
    for (const s of wired)
      expect(new Set(s.namespaces.map((n) => n.ns)).size).toBeGreaterThanOrEqual(3);

    // every veth's peer is a veth in another lab namespace (so none is in the machine's)
    for (const lonely of unpaired) expect(lonely).toEqual([]);
    for (const s of samples) {
      // every process of the run that runs its own program does so inside the lab
      expect(s.inMachineNetns, `at ${s.at.toFixed(0)} ms`).toEqual([]);
      // each agent has a namespace of its own, not the machine's, not another agent's
      const agentNs = s.agents.filter((a) => a.ns !== null);
      for (const a of agentNs) expect(a.ns, a.host).not.toBe(machineNetns());
      const hosts = new Map<string, string>();
      for (const a of agentNs) hosts.set(a.ns as string, a.host);
      expect(hosts.size, JSON.stringify(agentNs)).toBe(new Set(agentNs.map((a) => a.host)).size);
      // links, addresses, routes inside the lab
      for (const n of s.namespaces) {
        const veths = new Set(
          n.seenLinks.filter((l) => l.linkinfo?.info_kind === "veth").map((l) => l.ifname),
        );
        expect(namespaceProblems(n, veths), `at ${s.at.toFixed(0)} ms`).toEqual([]);
      }
      // no new link ever appears in the machine's namespace
      expect(s.machineLinks, `at ${s.at.toFixed(0)} ms`).toBe(beforeLinks);
    }
    expect(samples.length).toBeGreaterThan(5);

    // after the run: the machine's links, addresses, routes, rules, mounts and sysctls
    // (ip_forward, tcp_retries2, keepalive) are as they were, and nothing of the run is left
    expect(await settleTo(machineState, before, 1000)).toEqual(before);
    expect(await w.settle(1000)).toEqual({ processes: [], netns: [] });
  });
});
