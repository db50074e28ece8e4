// Bringing a lab up: the three hosts' namespaces, the agents (started while topology.ts wires
// the hosts: an agent process takes longest, as Node and koffi start), the user's own server
// (--server-cmd) once the lab is wired, the client's sysctls read back and the server agent
// listening on the test port. If any step fails, every process started so far is ended
// before the error goes on. The client's and the server's agents run in tcpdrop's own process
// unless the run needs a real process there (placement()).
import type { AddressPlan } from "./addresses.js";
import { SERVER_PORT } from "./addresses.js";
import { AgentGroup } from "./agent-group.js";
import type { AgentMessage } from "./agent-process.js";
import { Host } from "./host.js";
import type { Placement } from "./lab-agent.js";
import type { LabProcess } from "./lab-process.js";
import { addNicQueue } from "./nic-queue.js";
import { startAll } from "./start-all.js";
import { hostSysctls, REPORTED_SYSCTLS } from "./sysctl.js";
import { wire } from "./topology.js";

export interface LabOptions {
  /** Sysctls for the client namespace only, e.g. {"net.ipv4.tcp_retries2": "5"}. */
  clientSysctls: Record<string, string>;
  serverFlags: string[];
  /** Build the lab over IPv6 (2001:db8::/32) instead of IPv4. */
  ipv6?: boolean;
  /** The router's ICMP rate limit in ms (0 = off), or null for the kernel's default. */
  icmpRatelimitMs?: number | null;
  onMessage: (host: string, msg: AgentMessage) => void;
  /** Agents per end host (sockets spread over several when one agent's limit cannot hold them). */
  agents?: { client: number; server: number };
  /** A transmit queue on each end host's interface (nic-queue.ts), for thousands of connections. */
  nicQueue?: boolean;
  /** The user's server (--server-cmd) instead of the agent: resolves once it listens (and on restarts). */
  serverProcess?: (netns: string, ip: string, port: number) => Promise<LabProcess>;
  /**
   * End hosts whose agent must be a process of its own (true): the node engine's sockets are
   * made by libuv, thousands of connections want an agent per CPU. "signals": the fault
   * signals the server's process (Fault.serverProcess), which a stand-in process receives for
   * an in-process server. The others' sockets live in tcpdrop's own process.
   */
  needsProcess?: { client?: boolean; server?: boolean | "signals" };
  /**
   * Called once the router's namespace exists, before any link: the packet capture starts
   * there while the rest of the lab is wired (its socket, bound to no link, sees links added
   * later).
   */
  onRouter?: (router: { netns: string; ownAddresses: string[] }) => void;
  /** Work on the router alone (a fault's prepareRouter), done while the rest is wired. */
  routerSetup?: (router: Host, plan: AddressPlan) => Promise<void>;
}

/** Where an end host's agent runs: in-process unless it needs a process or is several agents. */
export function placement(options: LabOptions, side: "client" | "server"): Placement {
  const count = options.agents?.[side] ?? 1;
  const need = options.needsProcess?.[side];
  if (need === true || count > 1) return "process";
  return need === "signals" ? "signalled" : "in-process";
}

export interface BootedLab {
  hosts: { client: Host; router: Host; server: Host };
  client: AgentGroup;
  server: LabProcess;
  /** The client namespace's TCP sysctls, and the router's ICMP rate limit, after setup. */
  sysctls: Record<string, string>;
  routerSysctls: Record<string, string>;
}

export async function bootLab(plan: AddressPlan, options: LabOptions): Promise<BootedLab> {
  const started = await startAll([
    Host.start("client"),
    Host.start("router"),
    Host.start("server"),
  ]);
  const hosts = { client: started[0], router: started[1], server: started[2] };
  options.onRouter?.({
    netns: hosts.router.netns,
    ownAddresses: [plan.routerClient, plan.routerServer],
  });
  const routerSetup = options.routerSetup?.(hosts.router, plan);
  routerSetup?.catch(() => {}); // awaited below, unless the wiring fails first
  const foreign = options.serverProcess;
  const { serverFlags, onMessage } = options;
  const count = options.agents ?? { client: 1, server: 1 };
  const [clientNs, serverNs] = [hosts.client.netns, hosts.server.netns];
  const agents = startAll([
    AgentGroup.start("client", clientNs, [], onMessage, count.client, placement(options, "client")),
    ...(foreign
      ? []
      : [
          AgentGroup.start(
            "server",
            serverNs,
            serverFlags,
            onMessage,
            count.server,
            placement(options, "server"),
          ),
        ]),
  ]);
  agents.catch(() => {});
  try {
    const routerSysctls = await wire(plan, hosts, options.clientSysctls, options.icmpRatelimitMs);
    if (options.nicQueue) await Promise.all([addNicQueue(hosts.client), addNicQueue(hosts.server)]);
    const [client, agent] = await agents;
    const server = foreign
      ? await foreign(hosts.server.netns, plan.server, SERVER_PORT).catch(async (err) => {
          client.kill("SIGKILL");
          throw err;
        })
      : agent;
    const [sysctls] = await Promise.all([
      hostSysctls(hosts.client, {}, REPORTED_SYSCTLS),
      agent?.request({ op: "listen", ip: plan.server, port: SERVER_PORT }),
      routerSetup,
    ]);
    return { hosts, client, server, sysctls, routerSysctls };
  } catch (err) {
    for (const host of started) host.kill();
    for (const agent of await agents.catch(() => [])) agent.kill("SIGKILL");
    throw err;
  }
}
