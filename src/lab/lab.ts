// The throwaway lab: three hosts (client, router, server), each a network namespace tcpdrop
// holds by descriptor (host.ts), wired by topology.ts so that no link ever touches the machine's own
// namespace and no route leads out of the lab. The client and the server each run one agent
// (the "process" on that host) that makes the socket calls: in tcpdrop's own process, or a
// process of its own where the run needs one (boot.ts, placement). Faults act through the
// verbs below (blackhole, cutLink, killHost, bootHost, signal, act...); the lab knows no fault.
// The server's process may be the user's own (--server-cmd, started through `serverProcess`).
import { nowMs } from "../clock.js";
import { SetupError, UsageError } from "../errors.js";
import type { ServerAction } from "../protocol.js";
import type { Side } from "../types.js";
import { type AddressPlan, IPV4, IPV6, SERVER_PORT } from "./addresses.js";
import { AgentGroup } from "./agent-group.js";
import { bootLab, type LabOptions, placement } from "./boot.js";
import { ipBatch } from "./exec.js";
import { Host } from "./host.js";
import type { LabProcess } from "./lab-process.js";
import { listenAgain } from "./listen-again.js";
import { addNicQueue } from "./nic-queue.js";
import { spawnsSettled } from "./posix-spawn.js";
import { hostSysctls } from "./sysctl.js";
import { prepareHost, reconnectServer } from "./topology.js";

export type { LabOptions };

type Booted = { host: Host; agent: AgentGroup | null };

export class Lab {
  /** The client namespace's TCP sysctls as they were after setup. */
  sysctls: Record<string, string> = {};
  /** The router's ICMP rate limit sysctl as it was after setup. */
  routerSysctls: Record<string, string> = {};
  /** Hosts whose processes may end during the run (a fault says so, or a verb kills them). */
  readonly mayDie = new Set<Side>();
  readonly plan: AddressPlan;
  private booting: Promise<Booted> | undefined;
  private tearingDown = false;
  private readonly extra: (Host | LabProcess)[] = [];
  private reportCrash: (err: SetupError) => void = () => {};
  /** Rejects when an agent dies that should not have: the run is then a setup error. */
  readonly crashed: Promise<never> = new Promise((_, reject) => {
    this.reportCrash = reject;
  });

  private constructor(
    readonly hosts: { client: Host; router: Host; server: Host },
    readonly client: AgentGroup,
    private serverProcess: LabProcess,
    private readonly options: LabOptions,
  ) {
    this.plan = options.ipv6 ? IPV6 : IPV4;
    this.crashed.catch(() => {});
    this.watch(client);
    this.watch(serverProcess);
    for (const host of Object.values(hosts)) this.watchHost(host);
  }

  /** A host let go of unasked (not by the teardown or a fault) is a broken lab: a setup error. */
  private watchHost(host: Host): void {
    host.exited.then(() => {
      const expected = this.tearingDown || this.mayDie.has(host.name as Side);
      if (!expected)
        this.reportCrash(new SetupError(`the ${host.name} host's namespace ended unexpectedly`));
    });
  }

  static async build(options: LabOptions): Promise<Lab> {
    // Several server agents share the test port (SO_REUSEPORT): one listener as clients see it.
    const many = (options.agents?.server ?? 1) > 1;
    const opts = {
      ...options,
      serverFlags: [...options.serverFlags, ...(many ? ["--reuseport"] : [])],
    };
    const booted = await bootLab(options.ipv6 ? IPV6 : IPV4, opts);
    const lab = new Lab(booted.hosts, booted.client, booted.server, opts);
    lab.sysctls = booted.sysctls;
    lab.routerSysctls = booted.routerSysctls;
    return lab;
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
  ): Promise<AgentGroup> {
    const { netns } = this.hosts.client;
    const agent = await AgentGroup.start(name, netns, flags, this.options.onMessage);
    this.extra.push(agent);
    agent.exited.then(() => {
      if (this.tearingDown) return;
      if (agent.signal === expectSignal) onDeath(agent.signal);
      else this.reportCrash(new SetupError(agent.members[0].deathReason()));
    });
    return agent;
  }

  /** The router host (it runs no agent unless a fault asks for one: routerAgent()). */
  get router(): Host {
    return this.hosts.router;
  }

  private routerAgentStart: Promise<AgentGroup> | undefined;

  /** An agent in the router's namespace (in-process), started on first use; ends with the lab. */
  routerAgent(): Promise<AgentGroup> {
    const { netns } = this.router;
    const start = () =>
      AgentGroup.start("router", netns, [], this.options.onMessage, 1, "in-process");
    this.routerAgentStart ??= start().then((agent) => {
      this.extra.push(agent);
      this.watch(agent);
      return agent;
    });
    return this.routerAgentStart;
  }

  /** The server agent; the user's own server (--server-cmd) cannot be asked to act. */
  get server(): AgentGroup {
    if (this.serverProcess instanceof AgentGroup) return this.serverProcess;
    throw new UsageError("--server-cmd: the user's server cannot be asked to act on its sockets");
  }

  /** A server's agent(s) on a (re)started host or process, placed as the run needs. */
  private startServerAgent(netns: string): Promise<AgentGroup> {
    const { serverFlags, onMessage, agents } = this.options;
    const where = placement(this.options, "server");
    return AgentGroup.start("server", netns, serverFlags, onMessage, agents?.server, where);
  }

  get serverIp(): string {
    return this.plan.server;
  }

  get serverPort(): number {
    return SERVER_PORT;
  }

  private watch(proc: LabProcess): void {
    // A group of agents is one host process: the first of them to die is the process dying.
    const ended = proc instanceof AgentGroup ? proc.firstExit : proc.exited.then(() => proc);
    ended.then((member) => {
      const expected = this.tearingDown || this.mayDie.has(proc.host as Side);
      if (!expected) this.reportCrash(new SetupError(member.deathReason()));
    });
  }

  // The verbs faults are written with. Each does one thing to one host or to the router, and
  // says what that means on the wire; none knows which fault uses it.

  /** Router: drop everything addressed to these hosts, silently (off: stop dropping). */
  async blackhole(sides: Side[], on = true): Promise<void> {
    const op = on ? "add" : "del";
    const lines = sides.map(
      (side) => `route ${op} blackhole ${this.address(side)}/${this.plan.hostPrefix}`,
    );
    const what = on ? "blackhole the" : "lift the blackhole for the";
    await ipBatch(this.router, lines, `${what} ${sides.join(" and ")}`);
  }

  /** Router: answer segments for this host with ICMP host unreachable (an `unreachable` route). */
  async rejectWithIcmp(side: Side): Promise<void> {
    const line = `route add unreachable ${this.address(side)}/${this.plan.hostPrefix}`;
    await ipBatch(this.router, [line], `make the ${side} unreachable`);
  }

  /** Router: delete the link to this host; with no route left it answers ICMP net unreachable. */
  async cutLink(side: Side): Promise<void> {
    await ipBatch(
      this.router,
      [`link del ${side === "server" ? "s0" : "c0"}`],
      `cut the ${side}'s link`,
    );
  }

  /** End every process of this host (in-process: its sockets, at once) and its namespace. */
  async killHost(side: Side): Promise<void> {
    this.mayDie.add(side);
    const gone = [
      side === "server" ? this.serverProcess : this.client,
      this.hosts[side],
      ...this.extra.filter((p) => !(p instanceof Host) && p.host.startsWith(side)),
    ];
    for (const p of gone) p.kill("SIGKILL");
    await Promise.all(gone.map((p) => p.exited));
    await spawnsSettled(); // no child still exec'ing holds the host's sockets or namespace
  }

  /**
   * Power on a new host: a fresh namespace and agent, not yet linked to the router. Started
   * ahead of time so that bringing it up (plugIn) takes only a few ms.
   */
  bootHost(side: "server"): Promise<Booted> {
    const booting = (async () => {
      const host = await Host.start(side);
      this.extra.push(host);
      await prepareHost(this.plan, host);
      if (this.options.serverProcess) return { host, agent: null };
      const agent = await this.startServerAgent(host.netns);
      this.extra.push(agent);
      return { host, agent };
    })();
    this.booting = booting;
    return booting;
  }

  /** Link a booted host to the router at the old address; its agent listens on the test port. */
  async plugIn(booted: Booted): Promise<void> {
    const { plan } = this;
    this.hosts.server = booted.host;
    this.watchHost(booted.host);
    await reconnectServer(plan, this.router, booted.host);
    if (this.options.nicQueue) await addNicQueue(booted.host);
    if (booted.agent === null) {
      // The user's server starts again on the rebooted host (as a service would at boot).
      await this.startProcess("server");
      return;
    }
    this.serverProcess = booted.agent;
    this.watch(booted.agent);
    await booted.agent.request({ op: "listen", ip: plan.server, port: SERVER_PORT });
  }

  /**
   * Send a signal to the host's process (its agent); the host and its kernel stay up. Only a
   * real process can be signalled: a fault that does so declares it (Fault.serverProcess).
   */
  signal(side: Side, signal: NodeJS.Signals): void {
    const target = side === "server" ? this.serverProcess : this.client;
    if (target instanceof AgentGroup && !target.signalsReach) {
      const why = `the ${side}'s agent runs in tcpdrop's own process`;
      throw new Error(`lab.signal(${side}, ${signal}): ${why}; declare serverProcess: "real"`);
    }
    if (signal === "SIGKILL" || signal === "SIGTERM") this.mayDie.add(side);
    if (target instanceof AgentGroup) target.deliverSignal(signal);
    else target.kill(signal);
  }

  /** Resolves when the host's current process has exited. */
  async processExit(side: Side): Promise<void> {
    await (side === "server" ? this.serverProcess : this.client).exited;
  }

  /** A new server process on the same host, listening on the same port (a restart). */
  async startProcess(side: "server"): Promise<void> {
    const { netns } = this.hosts[side];
    const { serverProcess } = this.options;
    this.extra.push(this.serverProcess);
    if (serverProcess) {
      this.serverProcess = await serverProcess(netns, this.plan.server, SERVER_PORT);
      this.watch(this.serverProcess);
      return;
    }
    const agent = await this.startServerAgent(netns);
    this.serverProcess = agent;
    this.watch(agent);
    await listenAgain(() =>
      agent.request({ op: "listen", ip: this.plan.server, port: SERVER_PORT }),
    );
  }

  /** From outside: destroy the host's connections on the test port (SOCK_DESTROY, `ss -K`): RST. */
  async destroySockets(side: Side): Promise<number> {
    const { abortConnections } = await import("../program/read-sockets.js");
    const at = nowMs();
    await abortConnections(this.hosts[side].netns, SERVER_PORT);
    return at;
  }

  /** Have the server process act on its sockets; resolves to the time the action started. */
  async act(action: ServerAction, options: { backlog?: number } = {}): Promise<number> {
    const reply = await this.server.request({ op: "act", action, ...options });
    await spawnsSettled(); // what it closed no child still exec'ing holds (posix-spawn.ts)
    return reply.t;
  }

  /** Set a sysctl in one host's namespace (never the machine's own). */
  async sysctl(side: Side, values: Record<string, string>): Promise<void> {
    await hostSysctls(this.hosts[side], values, []);
  }

  private address(side: Side): string {
    return side === "server" ? this.plan.server : this.plan.client;
  }

  /** End every process of the lab; the namespaces, links and routes go with them. */
  async destroy(): Promise<void> {
    this.tearingDown = true;
    await this.booting?.catch(() => undefined);
    await this.routerAgentStart?.catch(() => undefined);
    const all = [this.client, this.serverProcess, ...Object.values(this.hosts), ...this.extra];
    for (const p of all) p.kill("SIGKILL");
    await Promise.all(all.map((p) => p.exited));
  }
}
