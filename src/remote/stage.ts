// Remote mode's stage: the client and the server are real hosts (or pods) reached through the
// user's command prefixes, or this machine for a side without one. Each remote side runs
// `tcpdrop agent` as its process (the sockets); the server host runs a second agent, "the
// host", which survives the process: it signals it (kill, stop, terminate), firewalls the
// test's connections for the host faults, and lifts its rules when the run ends, when its
// stdin closes, or when its timer fires. The stage offers the verbs remote faults are written
// with (act, signal, processExit, startProcess, silence, unsilence); it knows no fault.
import { nowMs, sleep } from "../clock.js";
import { SetupError, UsageError } from "../errors.js";
import { AgentProcess } from "../lab/agent-process.js";
import type { AgentMessage, Reply, ServerAction } from "../protocol.js";
import { commandTransport, localTransport, type Transport } from "../transport/index.js";
import type { Side } from "../types.js";
import type { RemoteOptions } from "./options.js";

export interface RemoteStageOptions {
  remote: RemoteOptions;
  serverFlags: string[];
  onMessage: (host: string, msg: AgentMessage) => void;
  /** The run's observation window: the firewall's rules expire after it, whatever happens. */
  windowS: number;
  /** The fault's firewall will be needed: check nft on the server host before the run. */
  needsFirewall: boolean;
}

export type HostFacts = Reply<"host-info"> & { where: string };

const CLOSE_GRACE_MS = 3000;
let runs = 0;

export class RemoteStage {
  readonly mayDie = new Set<Side>();
  sysctls: Record<string, string> = {};
  facts: { client?: HostFacts; server?: HostFacts } = {};
  private tearingDown = false;
  private readonly peers = new Set<string>();
  private readonly agents: AgentProcess[] = [];
  private readonly table = `tcpdrop_${process.pid}_${++runs}`;
  private reportCrash: (err: SetupError) => void = () => {};
  readonly crashed: Promise<never> = new Promise((_, reject) => {
    this.reportCrash = reject;
  });
  client!: AgentProcess;
  server!: AgentProcess;
  /** The server host's own agent (remote server only): signals and firewall. */
  private host: AgentProcess | undefined;
  private readonly transports: { client: Transport; server: Transport };

  private constructor(private readonly options: RemoteStageOptions) {
    this.crashed.catch(() => {});
    const { remote } = options;
    const via = (cmd: string | undefined) =>
      cmd === undefined ? localTransport() : commandTransport(cmd, remote.remoteCommand);
    this.transports = { client: via(remote.clientVia), server: via(remote.serverVia) };
  }

  static async build(options: RemoteStageOptions): Promise<RemoteStage> {
    if (options.needsFirewall && options.remote.serverVia === undefined) {
      throw new UsageError(
        "this fault firewalls the server host, and tcpdrop never adds rules on this machine: give --server-via",
      );
    }
    const stage = new RemoteStage(options);
    try {
      await stage.start();
      return stage;
    } catch (err) {
      await stage.destroy();
      throw err;
    }
  }

  private async start(): Promise<void> {
    const { remote, serverFlags } = this.options;
    const remoteServer = remote.serverVia !== undefined;
    [this.client, this.server, this.host] = await Promise.all([
      this.startAgent("client", this.transports.client, []),
      this.startAgent("server", this.transports.server, serverFlags),
      remoteServer ? this.startAgent("server-host", this.transports.server, []) : undefined,
    ]);
    const [client, server] = await Promise.all([
      this.client.request({ op: "host-info" }),
      this.server.request({ op: "host-info" }),
    ]);
    this.facts = {
      client: { ...client, where: this.transports.client.where },
      server: { ...server, where: this.transports.server.where },
    };
    this.sysctls = client.sysctls;
    if (this.options.needsFirewall) {
      await this.firewall("check").catch((err: Error) => {
        const why = err.message.replace(/^.*failed "firewall": /, "");
        throw new SetupError(
          `this fault firewalls the server host (via ${this.transports.server.where}), and there ${why}`,
        );
      });
    }
    await this.listen(this.server);
  }

  private async startAgent(name: string, transport: Transport, flags: string[]) {
    let agent: AgentProcess;
    try {
      agent = await AgentProcess.start(name, transport, flags, this.onMessage);
    } catch (err) {
      const message = (err as Error).message;
      if (/ is (tcpdrop|an older)/.test(message)) throw err; // the version check says it all
      const command = this.options.remote.remoteCommand ?? "tcpdrop agent";
      const how = transport.sameClock
        ? ""
        : `; check that \`${transport.where} ${command} --help\` works there`;
      throw new SetupError(`${message}${how}`);
    }
    this.agents.push(agent);
    this.watch(agent);
    return agent;
  }

  /** Record the peers the server accepted: the firewall's 4-tuples, as the server sees them. */
  private readonly onMessage = (host: string, msg: AgentMessage) => {
    if (msg.type === "event" && msg.side === "server" && msg.call === "accept" && msg.detail) {
      if (msg.result === "OK") this.peers.add(msg.detail);
    }
    this.options.onMessage(host, msg);
  };

  private watch(agent: AgentProcess): void {
    agent.exited.then(() => {
      const side: Side = agent.host.startsWith("server") ? "server" : "client";
      const isProcess = agent === this.server || agent === this.client;
      if (this.tearingDown || (isProcess && this.mayDie.has(side))) return;
      this.reportCrash(new SetupError(agent.deathReason()));
    });
  }

  get serverIp(): string {
    return this.options.remote.serverAddr;
  }

  get serverPort(): number {
    return this.options.remote.port;
  }

  /** The client host's timer frequency, for the predictions. */
  get hz(): number | undefined {
    return this.facts.client?.hz;
  }

  private async listen(agent: AgentProcess): Promise<void> {
    const any = this.serverIp.includes(":") ? "::" : "0.0.0.0";
    await agent.request({ op: "listen", ip: any, port: this.serverPort });
  }

  /** Another client process (--sigpipe default), through the client's transport. */
  async addClientProcess(
    name: string,
    flags: string[],
    expectSignal: NodeJS.Signals,
    onDeath: (signal: NodeJS.Signals | null) => void,
  ): Promise<AgentProcess> {
    const agent = await AgentProcess.start(name, this.transports.client, flags, this.onMessage);
    this.agents.push(agent);
    agent.exited.then(() => {
      if (this.tearingDown) return;
      // Through a command the signal is not seen here: any death after a broken pipe counts.
      if (agent.signal === expectSignal || !this.transports.client.signalsReachAgent) {
        onDeath(agent.signal);
      } else this.reportCrash(new SetupError(agent.deathReason()));
    });
    return agent;
  }

  // The verbs remote faults are written with.

  /** Have the server process act on its sockets; resolves to the time the action started. */
  async act(action: ServerAction): Promise<number> {
    return (await this.server.request({ op: "act", action })).t;
  }

  /** Signal the server's process; resolves to the time the signal was sent. */
  async signal(side: "server", signal: "SIGKILL" | "SIGTERM" | "SIGSTOP"): Promise<number> {
    if (signal !== "SIGSTOP") this.mayDie.add(side);
    if (!this.host) {
      const t = nowMs();
      this.server.kill(signal);
      return t;
    }
    return (await this.host.request({ op: "signal", pid: this.server.agentPid, signal })).t;
  }

  async processExit(_side: "server"): Promise<void> {
    await this.server.exited;
  }

  /** A new server process on the same host, listening on the same port (a restart). */
  async startProcess(_side: "server"): Promise<void> {
    const agent = await this.startAgent("server", this.transports.server, this.options.serverFlags);
    this.server = agent;
    await this.listen(agent);
  }

  /** The server host drops the test's connections both ways; resolves when the rules hold. */
  async silence(): Promise<number> {
    return this.firewall("drop");
  }

  /** Lift the rules: the next segment reaches the host's kernel again. */
  async unsilence(): Promise<number> {
    return this.firewall("lift");
  }

  private async firewall(action: "check" | "drop" | "lift"): Promise<number> {
    if (!this.host) throw new SetupError("the server host is this machine: no firewall here");
    const ttlS = Math.min(3600, Math.ceil(this.options.windowS) + 60);
    const reply = await this.host.request({
      op: "firewall",
      action,
      table: this.table,
      port: this.serverPort,
      peers: [...this.peers],
      ttlS,
    });
    return reply.t;
  }

  /** Lift the rules, then close every agent's stdin (each exits and cleans up); kill laggards. */
  async destroy(): Promise<void> {
    this.tearingDown = true;
    if (this.host?.isAlive) await this.firewall("lift").catch(() => undefined);
    for (const agent of this.agents) {
      if (agent.transport.signalsReachAgent) agent.kill("SIGKILL");
      else agent.close();
    }
    const all = Promise.all(this.agents.map((a) => a.exited));
    await Promise.race([all, sleep(CLOSE_GRACE_MS)]);
    for (const agent of this.agents) agent.kill("SIGKILL");
    await all;
  }
}
