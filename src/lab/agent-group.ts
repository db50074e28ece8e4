// One host's process, made of one or more agents. A single agent can hold only as many sockets
// as its descriptor limit allows (RLIMIT_NOFILE, which root without CAP_SYS_RESOURCE cannot
// raise); thousands of connections are then spread over several agents in the same namespace,
// and the group stands for them as one process: a signal reaches every agent, a request goes
// to every agent (connect and adopt to the agents whose connections they are) and the replies
// are merged. On the server, the agents share the test port with SO_REUSEPORT, so a client
// sees one address and one listener, as with a single process; the kernel picks the agent.
// On the client, the connections are dealt out in turn, so each agent gets its share of every
// workload: when thousands of idle connections time out in the same few milliseconds, each
// agent stamps only its share of them, on a CPU of its own.
// A group of one may run in tcpdrop's own process (placement "in-process", lab-agent.ts): it is
// then no process at all, and only the lab's SIGKILL (its sockets closing together) ends it.
import type { AgentMessage, ClientSpec, Reply, Request } from "../protocol.js";
import type { AgentProcess } from "./agent-process.js";
import { type Placement, startLabAgent } from "./lab-agent.js";
import type { LabProcess } from "./lab-process.js";

/** What the runner talks to: one host process, whatever number of agents it is made of. */
export interface Agent {
  request<C extends Request>(command: C): Promise<Reply<C["op"]>>;
}

export class AgentGroup implements Agent, LabProcess {
  /** Resolves once every agent has exited (the host's process is gone). */
  readonly exited: Promise<unknown>;
  /** Resolves when the first agent exits, with that agent. */
  readonly firstExit: Promise<AgentProcess>;
  /** Which agent accepted the connection from each peer address (for adopt). */
  private readonly acceptedBy: Map<string, AgentProcess>;

  private constructor(
    readonly host: string,
    readonly members: AgentProcess[],
    acceptedBy: Map<string, AgentProcess>,
  ) {
    this.acceptedBy = acceptedBy;
    this.exited = Promise.all(members.map((m) => m.exited));
    this.firstExit = Promise.race(members.map((m) => m.exited.then(() => m)));
  }

  /**
   * Start `count` agents in a host's namespace (one, if in-process); if one fails to start,
   * none is left running.
   */
  static async start(
    host: string,
    netns: string,
    flags: string[],
    onMessage: (host: string, msg: AgentMessage) => void,
    count = 1,
    placement: Placement = "process",
  ): Promise<AgentGroup> {
    if (placement !== "process" && count !== 1) {
      throw new Error(`the ${host} host's ${count} agents cannot all run in tcpdrop's process`);
    }
    const acceptedBy = new Map<string, AgentProcess>();
    const members: AgentProcess[] = [];
    const track = (i: number) => (h: string, msg: AgentMessage) => {
      if (count > 1 && msg.type === "event" && msg.call === "accept" && msg.result === "OK")
        acceptedBy.set(msg.conn, members[i]);
      onMessage(h, msg);
    };
    const starting = Array.from({ length: count }, (_, i) =>
      startLabAgent(host, netns, flags, track(i), placement).then((agent) => {
        members[i] = agent;
        return agent;
      }),
    );
    const settled = await Promise.allSettled(starting);
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) {
      for (const agent of members) agent?.kill("SIGKILL");
      throw failed.reason;
    }
    return new AgentGroup(host, members, acceptedBy);
  }

  get pid(): number | undefined {
    return this.members[0].pid;
  }

  /** Whether a fault's signal can reach its process (not an in-process end without a stand-in). */
  get signalsReach(): boolean {
    return this.members[0].transport.signalsReachAgent;
  }

  /** A fault's signal, to every agent's process. */
  deliverSignal(signal: NodeJS.Signals): void {
    for (const m of this.members) m.deliverSignal(signal);
  }

  /** Why the group's process died unasked: the first of its agents to die says. */
  deathReason(): string {
    return this.members[0].deathReason();
  }

  /** The signal that ended the first agent to die (null if it exited by itself). */
  get signal(): NodeJS.Signals | null {
    return this.members.find((m) => m.signal !== null)?.signal ?? null;
  }

  kill(signal: NodeJS.Signals): void {
    for (const m of this.members) m.kill(signal);
  }

  async request<C extends Request>(command: C): Promise<Reply<C["op"]>> {
    if (this.members.length === 1) return this.members[0].request(command);
    const cmd = command as Request;
    if (cmd.op === "connect") {
      const parts = deal(cmd.specs, this.members.length);
      const replies = await Promise.all(
        this.members.map((m, i) => m.request({ ...cmd, specs: parts[i] })),
      );
      const counts = replies.map((r) => r.connected);
      const connected = counts.includes(null)
        ? null
        : counts.reduce((a, b) => (a ?? 0) + (b ?? 0), 0);
      return { connected } as Reply<C["op"]>;
    }
    if (cmd.op === "adopt") {
      await Promise.all(
        this.members.map((m) =>
          m.request({ ...cmd, specs: cmd.specs.filter((s) => this.acceptedBy.get(s.peer) === m) }),
        ),
      );
      return {} as Reply<C["op"]>;
    }
    const replies = await Promise.all(this.members.map((m) => m.request(cmd)));
    if (cmd.op === "snapshot" || cmd.op === "act") {
      // The earliest start is the group's time (a fault's t=0 is when the first agent acted).
      const all = replies as Reply<"snapshot" | "act">[];
      const t = Math.min(...all.map((r) => r.t));
      const info = Object.assign({}, ...all.map((r) => ("info" in r ? r.info : {})));
      return (cmd.op === "act" ? { t } : { t, info }) as Reply<C["op"]>;
    }
    return replies[0] as Reply<C["op"]>;
  }
}

/** Deal the connections out in turn, so that each agent gets its share of every workload. */
export function deal<T extends Pick<ClientSpec, "conn">>(specs: T[], n: number): T[][] {
  const parts: T[][] = Array.from({ length: n }, () => []);
  specs.forEach((spec, i) => {
    parts[i % n].push(spec);
  });
  return parts;
}
