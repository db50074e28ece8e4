// The throwaway lab: three hosts (client, router, server), each a network namespace held by a
// tiny holder process, wired by topology.ts so that no link ever touches the machine's own
// namespace and no route leads out of the lab. The client and the server each run one agent
// (the "process" on that host) that makes the socket calls. Faults act through the methods
// below; each says what happens on the wire.
import { SetupError } from "../errors.js";
import { type AddressPlan, IPV4, IPV6, SERVER_PORT } from "./addresses.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";
import { ipBatch } from "./exec.js";
import { Host } from "./host.js";
import { hostSysctls } from "./sysctl.js";
import { hostConfig, prepareHost, routerServerSide, wire } from "./topology.js";

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
  /** Build the lab over IPv6 (2001:db8::/32) instead of IPv4. */
  ipv6?: boolean;
  onMessage: (host: string, msg: AgentMessage) => void;
}

type Booted = { host: Host; agent: AgentProcess };

export class Lab {
  /** The client namespace's TCP sysctls as they were after setup. */
  sysctls: Record<string, string> = {};
  /** Set once a fault may end the server (kill, crash, shutdown): its exit is then expected. */
  serverMayDie = false;
  private clientMayDie = false;
  readonly plan: AddressPlan;
  private booting: Promise<Booted> | undefined;
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
    this.plan = options.ipv6 ? IPV6 : IPV4;
    this.crashed.catch(() => {});
    this.watch(client);
    this.watch(server);
    for (const host of Object.values(hosts)) this.watchHost(host);
  }

  /** A namespace holder that dies unasked leaves a broken lab: that is a setup error too. */
  private watchHost(host: Host): void {
    host.exited.then(() => {
      const expected =
        this.tearingDown ||
        (host.name === "server" && this.serverMayDie) ||
        (host.name === "client" && this.clientMayDie);
      if (!expected)
        this.reportCrash(
          new SetupError(`the ${host.name} host's namespace holder died unexpectedly`),
        );
    });
  }

  static async build(options: LabOptions): Promise<Lab> {
    const plan = options.ipv6 ? IPV6 : IPV4;
    const started = await startAll([
      Host.start("client"),
      Host.start("router"),
      Host.start("server"),
    ]);
    const hosts = { client: started[0], router: started[1], server: started[2] };
    // The agents take longest to start (Node and koffi): start them while the lab is wired.
    const agents = startAll([
      AgentProcess.start("client", hosts.client.netns, [], options.onMessage),
      AgentProcess.start("server", hosts.server.netns, options.serverFlags, options.onMessage),
    ]);
    agents.catch(() => {});
    try {
      await wire(plan, hosts, options.clientSysctls);
      const [client, server] = await agents;
      const lab = new Lab(hosts, client, server, options);
      const [sysctls] = await Promise.all([
        hostSysctls(hosts.client, {}, REPORTED_SYSCTLS),
        lab.server.request("listen", { ip: plan.server, port: SERVER_PORT }),
      ]);
      lab.sysctls = sysctls;
      return lab;
    } catch (err) {
      for (const host of started) host.kill();
      for (const agent of await agents.catch(() => [])) agent.kill("SIGKILL");
      throw err;
    }
  }

  /**
   * Another client process on the client host, e.g. a writer that SIGPIPE may kill
   * (--sigpipe default). Its death by `expectSignal` is reported to `onDeath`, not a crash.
   */
  async addClientProcess(
    name: string,
    flags: string[],
    expectSignal: NodeJS.Signals,
    onDeath: (signal: NodeJS.Signals | null) => void,
  ): Promise<AgentProcess> {
    const { netns } = this.hosts.client;
    const agent = await AgentProcess.start(name, netns, flags, this.options.onMessage);
    this.extra.push(agent);
    agent.exited.then(() => {
      if (this.tearingDown) return;
      if (agent.signal === expectSignal) onDeath(agent.signal);
      else this.reportCrash(new SetupError(agent.deathReason()));
    });
    return agent;
  }

  /** The router host (it runs no agent; its namespace is all it is). */
  get router(): Host {
    return this.hosts.router;
  }

  get serverIp(): string {
    return this.plan.server;
  }

  get serverPort(): number {
    return SERVER_PORT;
  }

  private watch(agent: AgentProcess): void {
    agent.exited.then(() => {
      const expected =
        this.tearingDown ||
        (agent.host === "server" && this.serverMayDie) ||
        (agent.host === "client" && this.clientMayDie);
      if (!expected) this.reportCrash(new SetupError(agent.deathReason()));
    });
  }

  /**
   * The server host disappears without a word: the router first drops everything addressed to
   * it (a blackhole host route, more specific than the connected subnet, so no ICMP is sent),
   * the server's link is deleted so nothing it sends can escape, then its process and its
   * namespace, with all TCP state, are gone.
   */
  crashServer(): Promise<void> {
    return this.serverGone("blackhole");
  }

  /**
   * The server host is gone and the router says so: an `unreachable` host route makes it
   * answer ICMP host unreachable; with no route at all ("net") it answers net unreachable.
   */
  unreachableServer(kind: "host" | "net"): Promise<void> {
    return this.serverGone(kind === "host" ? "unreachable" : null);
  }

  /** Cut the server's link (after a route of `routeType` for its address) and end its host. */
  private async serverGone(routeType: "blackhole" | "unreachable" | null): Promise<void> {
    const { server, hostPrefix } = this.plan;
    const route = routeType ? [`route add ${routeType} ${server}/${hostPrefix}`] : [];
    await ipBatch(this.router, [...route, "link del s0"], "take the server away");
    this.server.kill("SIGKILL");
    this.hosts.server.kill();
    await Promise.all([this.server.exited, this.hosts.server.exited]);
  }

  /**
   * The client host disappears without a word (the server is the observer): the router drops
   * everything for it, its link is cut, and its processes and namespace are gone.
   */
  async crashClient(): Promise<void> {
    const { client, hostPrefix } = this.plan;
    await ipBatch(
      this.router,
      [`route add blackhole ${client}/${hostPrefix}`, "link del c0"],
      "crash the client",
    );
    const clientSide = [
      this.client,
      this.hosts.client,
      ...this.extra.filter((p) => p instanceof AgentProcess && p.host.startsWith("client")),
    ];
    this.clientMayDie = true;
    for (const p of clientSide) p.kill("SIGKILL");
    await Promise.all(clientSide.map((p) => p.exited));
  }

  /** A silent partition (heal: false) or its end (heal: true): the router drops both ways. */
  async partition(heal: boolean): Promise<void> {
    const { server, client, hostPrefix } = this.plan;
    const op = heal ? "del" : "add";
    const lines = [server, client].map((ip) => `route ${op} blackhole ${ip}/${hostPrefix}`);
    await ipBatch(this.router, lines, heal ? "heal the partition" : "partition the network");
  }

  /** End the server process with a signal; the host and its kernel stay up. */
  async signalServer(signal: NodeJS.Signals): Promise<void> {
    this.server.kill(signal);
    await this.server.exited;
  }

  /** A new server process on the same host, listening on the same port (a restart). */
  async restartServerProcess(): Promise<void> {
    const { netns } = this.hosts.server;
    const agent = await AgentProcess.start(
      "server",
      netns,
      this.options.serverFlags,
      this.options.onMessage,
    );
    this.extra.push(this.server);
    this.server = agent;
    this.watch(agent);
    await agent.request("listen", { ip: this.plan.server, port: SERVER_PORT });
  }

  /**
   * Power on a new server host: a fresh namespace and agent, not yet linked to the router.
   * Started ahead of time so that the reboot itself (rebootServer) takes only a few ms.
   */
  bootServer(): Promise<Booted> {
    const booting = (async () => {
      const host = await Host.start("server");
      this.extra.push(host);
      await prepareHost(this.plan, host);
      const { serverFlags, onMessage } = this.options;
      const agent = await AgentProcess.start("server", host.netns, serverFlags, onMessage);
      this.extra.push(agent);
      return { host, agent };
    })();
    this.booting = booting;
    return booting;
  }

  /** The crashed server comes back at the same address, in a new namespace with no TCP state. */
  async rebootServer(booted: Booted): Promise<void> {
    const { plan } = this;
    this.hosts.server = booted.host;
    this.server = booted.agent;
    this.watch(booted.agent);
    this.watchHost(booted.host);
    await ipBatch(this.router, routerServerSide(plan, booted.host.pid), "reconnect the server");
    await ipBatch(booted.host, hostConfig(plan, "server"), "configure the rebooted server");
    await booted.agent.request("listen", { ip: plan.server, port: SERVER_PORT });
    await ipBatch(
      this.router,
      [`route del blackhole ${plan.server}/${plan.hostPrefix}`],
      "lift the blackhole",
    );
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
