// The throwaway lab: three hosts (client, router, server), each a network namespace held by a
// tiny holder process, joined by veth pairs created inside the router's namespace, so no link
// ever touches the machine's own namespace. The router forwards between 198.51.100.0/24 and
// 203.0.113.0/24 and has no default route: no lab packet can leave the lab. The client and
// the server each run one agent (the "process" on that host) that makes the socket calls.
import { SetupError } from "../errors.js";
import {
  CLIENT_IP,
  CLIENT_SUBNET,
  PREFIX,
  ROUTER_CLIENT_IP,
  ROUTER_SERVER_IP,
  SERVER_IP,
  SERVER_PORT,
  SERVER_SUBNET,
} from "./addresses.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";
import { ipBatch } from "./exec.js";
import { Host } from "./host.js";
import { hostSysctls } from "./sysctl.js";

/** Sysctls read from the client namespace for the report and the predictions. */
export const REPORTED_SYSCTLS = [
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
];

export interface LabOptions {
  /** Sysctls for the client namespace only, e.g. {"net.ipv4.tcp_retries2": "5"}. */
  clientSysctls: Record<string, string>;
  serverFlags: string[];
  onMessage: (host: string, msg: AgentMessage) => void;
}

export class Lab {
  /** The client namespace's TCP sysctls as they were after setup. */
  sysctls: Record<string, string> = {};
  /** Set once a fault may end the server (kill, crash, shutdown): its exit is then expected. */
  serverMayDie = false;
  private booting: Promise<{ host: Host; agent: AgentProcess }> | undefined;
  private tearingDown = false;
  private readonly extra: (Host | AgentProcess)[] = [];
  private reportCrash: (err: SetupError) => void = () => {};
  /** Rejects when an agent dies that should not have: the run is then a setup error. */
  readonly crashed: Promise<never> = new Promise((_, reject) => {
    this.reportCrash = reject;
  });

  private constructor(
    readonly hosts: { client: Host; router: Host; server: Host },
    readonly client: AgentProcess,
    public server: AgentProcess,
    private readonly options: LabOptions,
  ) {
    this.crashed.catch(() => {});
    this.watch(client);
    this.watch(server);
  }

  /** The router host (it runs no agent; its namespace is all it is). */
  get router(): Host {
    return this.hosts.router;
  }

  static async build(options: LabOptions): Promise<Lab> {
    const hosts = await startAll([
      Host.start("client"),
      Host.start("router"),
      Host.start("server"),
    ]);
    const [client, router, server] = hosts;
    try {
      await wire(client, router, server, options.clientSysctls);
      const agents = await startAll([
        AgentProcess.start("client", client.netns, [], options.onMessage),
        AgentProcess.start("server", server.netns, options.serverFlags, options.onMessage),
      ]);
      const lab = new Lab({ client, router, server }, agents[0], agents[1], options);
      lab.sysctls = await hostSysctls(client, {}, REPORTED_SYSCTLS);
      await lab.server.request("listen", { ip: SERVER_IP, port: SERVER_PORT });
      return lab;
    } catch (err) {
      for (const host of hosts) host.kill();
      throw err;
    }
  }

  private watch(agent: AgentProcess): void {
    agent.exited.then(() => {
      const expected = this.tearingDown || (agent.host === "server" && this.serverMayDie);
      if (!expected) this.reportCrash(new SetupError(agent.deathReason()));
    });
  }

  /**
   * The server host disappears without a word: the router first drops everything addressed to
   * it (a blackhole host route, more specific than the connected /24, so no ICMP is sent), the
   * server's link is deleted so nothing it sends can escape, then its process and its
   * namespace, with all TCP state, are gone.
   */
  async crashServer(): Promise<void> {
    await ipBatch(
      this.router,
      [`route add blackhole ${SERVER_IP}/32`, "link del s0"],
      "crash the server",
    );
    this.server.kill("SIGKILL");
    this.hosts.server.kill();
    await Promise.all([this.server.exited, this.hosts.server.exited]);
  }

  /** End the server process with a signal; the host and its kernel stay up. */
  async signalServer(signal: NodeJS.Signals): Promise<void> {
    this.server.kill(signal);
    await this.server.exited;
  }

  /**
   * Power on a new server host: a fresh namespace and agent, not yet linked to the router.
   * Started ahead of time so that the reboot itself (rebootServer) takes only a few ms.
   */
  bootServer(): Promise<{ host: Host; agent: AgentProcess }> {
    const booting = (async () => {
      const host = await Host.start("server");
      this.extra.push(host);
      const agent = await AgentProcess.start(
        "server",
        host.netns,
        this.options.serverFlags,
        this.options.onMessage,
      );
      this.extra.push(agent);
      return { host, agent };
    })();
    this.booting = booting;
    return booting;
  }

  /** The crashed server comes back at the same address, in a new namespace with no TCP state. */
  async rebootServer(booted: { host: Host; agent: AgentProcess }): Promise<void> {
    this.hosts.server = booted.host;
    this.server = booted.agent;
    this.watch(booted.agent);
    await ipBatch(this.router, routerServerSide(booted.host.pid), "reconnect the server");
    await ipBatch(
      booted.host,
      hostConfig(SERVER_IP, ROUTER_SERVER_IP, CLIENT_SUBNET),
      "configure the rebooted server",
    );
    await booted.agent.request("listen", { ip: SERVER_IP, port: SERVER_PORT });
    await ipBatch(this.router, [`route del blackhole ${SERVER_IP}/32`], "lift the blackhole");
  }

  /** End every process of the lab; the namespaces, links and routes go with them. */
  async destroy(): Promise<void> {
    this.tearingDown = true;
    await this.booting?.catch(() => undefined);
    const all = [this.client, this.server, ...Object.values(this.hosts), ...this.extra];
    for (const p of all) p.kill("SIGKILL");
    await Promise.all(all.map((p) => p.exited));
  }
}

/** Start several things at once; if any fails, end the ones that started and rethrow. */
async function startAll<T extends { kill(signal?: NodeJS.Signals): void }>(
  starting: Promise<T>[],
): Promise<T[]> {
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) {
    for (const thing of started) thing.kill("SIGKILL");
    throw failed.reason;
  }
  return started;
}

async function wire(
  client: Host,
  router: Host,
  server: Host,
  clientSysctls: Record<string, string>,
) {
  await ipBatch(
    router,
    [
      `link add c0 type veth peer name eth0 netns ${client.pid}`,
      "link set lo up",
      `addr add ${ROUTER_CLIENT_IP}/${PREFIX} dev c0`,
      "link set c0 up",
      ...routerServerSide(server.pid),
    ],
    "wire the router",
  );
  await Promise.all([
    ipBatch(client, hostConfig(CLIENT_IP, ROUTER_CLIENT_IP, SERVER_SUBNET), "configure the client"),
    ipBatch(server, hostConfig(SERVER_IP, ROUTER_SERVER_IP, CLIENT_SUBNET), "configure the server"),
    hostSysctls(router, { "net.ipv4.ip_forward": "1" }),
    hostSysctls(client, clientSysctls),
  ]);
}

function routerServerSide(serverPid: number): string[] {
  return [
    `link add s0 type veth peer name eth0 netns ${serverPid}`,
    `addr add ${ROUTER_SERVER_IP}/${PREFIX} dev s0`,
    "link set s0 up",
  ];
}

/** An end host: its address, and a route to the other lab subnet only (no default route). */
function hostConfig(ip: string, gateway: string, otherSubnet: string): string[] {
  return [
    "link set lo up",
    `addr add ${ip}/${PREFIX} dev eth0`,
    "link set eth0 up",
    `route add ${otherSubnet} via ${gateway}`,
  ];
}
