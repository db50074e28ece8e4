// A running agent as the runner sees it: a link opened by a Transport (the agent in tcpdrop's
// own process, in a lab namespace on this machine, or through a command such as
// `ssh user@host` in remote mode). Its hello (the "ready" message) must carry this tcpdrop's
// version. An agent on another machine (another boot_id) has another CLOCK_MONOTONIC: its
// offset is measured at start and every time it sends is converted to the runner's clock, so
// the rest of the runner never knows the difference. Messages arrive already checked where
// they crossed a process boundary (src/transport/checked-lines.ts); nothing here parses.
import { SetupError } from "../errors.js";
import type { AgentMessage, Command, Reply, Request } from "../protocol.js";
import { withTimeout } from "../timeout.js";
import type { AgentLink, LinkMessage, Transport } from "../transport/index.js";
import { bootId, VERSION } from "../version.js";
import { measureOffset } from "./clock-offset.js";
import { forget, remember } from "./registry.js";

const REPLY_TIMEOUT_MS = 5000;
/** A remote agent may need longer to start (ssh, kubectl exec, a cold Node). */
const REMOTE_START_MS = 20_000;

export type { AgentMessage } from "../protocol.js";

type ReplyMessage =
  | Extract<AgentMessage, { type: "reply" }>
  | Extract<LinkMessage, { type: "malformed" }>;

export class AgentProcess {
  /** The local PID behind the channel (for the registry), if any. */
  readonly pid: number | undefined;
  /** The agent's own PID on its host (from its hello). */
  agentPid = 0;
  readonly exited: Promise<number | null>;
  /** Requests sent and not yet answered: answered by their reply, failed when the agent dies. */
  private readonly pending = new Map<
    number,
    { resolve: (msg: ReplyMessage) => void; reject: (err: Error) => void }
  >();
  private nextId = 1;
  private exitSignal: NodeJS.Signals | null = null;
  /** Set when the agent wrote something the protocol does not allow. */
  private broken: string | undefined;
  private alive = true;
  private readonly ready: Promise<void>;
  /** Agent clock minus runner clock, in ms (0 on this machine). */
  private offset = 0;
  /** The agent runs on this very kernel (same boot_id): its clock is the runner's. */
  private sameKernel = false;

  private constructor(
    readonly host: string,
    readonly transport: Transport,
    private readonly channel: AgentLink,
    private readonly onMessage: (host: string, msg: AgentMessage) => void,
  ) {
    this.pid = this.channel.pid;
    if (this.pid !== undefined) remember(this.pid);
    this.exited = this.channel.exited.then(({ code, signal }) => {
      this.alive = false;
      this.exitSignal = signal;
      if (this.pid !== undefined) forget(this.pid);
      // Each request waiting for a reply fails now. (A handler per request on `exited` kept
      // every reply, snapshots of thousands of connections among them, until the agent died.)
      for (const { reject } of this.pending.values()) reject(new SetupError(this.deathReason()));
      this.pending.clear();
      return code;
    });
    this.ready = new Promise((resolve, reject) => {
      this.channel.onMessage((msg) => this.receive(msg, resolve, reject));
      this.exited.then(() => reject(new SetupError(this.deathReason())));
      this.channel.onError((err) =>
        reject(
          new SetupError(`cannot start the ${host} agent via ${transport.where}: ${err.message}`),
        ),
      );
    });
    this.ready.catch(() => {});
  }

  /** Start an agent through a transport and wait until it says it is ready. */
  static async start(
    host: string,
    transport: Transport,
    flags: string[],
    onMessage: (host: string, msg: AgentMessage) => void,
  ): Promise<AgentProcess> {
    const link = await transport.open(["--host", host, ...flags]);
    const agent = new AgentProcess(host, transport, link, onMessage);
    const ms = transport.sameClock ? REPLY_TIMEOUT_MS : REMOTE_START_MS;
    try {
      await withTimeout(agent.ready, ms, () => late(`the ${host} agent did not start`, ms));
      if (!transport.sameClock && !agent.sameKernel) {
        agent.offset = await measureOffset(() => agent.requestRaw({ op: "snapshot" }));
      }
    } catch (err) {
      agent.kill("SIGKILL");
      throw err;
    }
    return agent;
  }

  private receive(msg: LinkMessage, ready: () => void, refuse: (err: Error) => void): void {
    if (msg.type === "malformed") {
      if (msg.id === undefined) {
        this.broken = `the ${this.host} agent wrote a malformed message: ${msg.why}`;
      } else this.pending.get(msg.id)?.resolve(msg);
      return;
    }
    if (msg.type === "ready") {
      if (msg.version !== VERSION) {
        refuse(new SetupError(versionMismatch(this.host, this.transport.where, msg.version)));
        return;
      }
      this.agentPid = msg.pid;
      this.sameKernel = msg.bootId !== undefined && msg.bootId === bootId();
      ready();
    } else if (msg.type === "reply") this.pending.get(msg.id)?.resolve(msg);
    else if (msg.type === "event") this.onMessage(this.host, { ...msg, t: msg.t - this.offset });
    else this.onMessage(this.host, msg);
  }

  /**
   * Send a command and wait for its reply; a failed or missing reply is a setup error. A
   * connect waits for its connections: thousands of them get a millisecond each on top.
   */
  async request<C extends Request>(command: C): Promise<Reply<C["op"]>> {
    const payload = await this.requestRaw(command);
    return this.toRunnerClock(payload) as Reply<C["op"]>;
  }

  /** The reply as the agent sent it, times on the agent's own clock. */
  async requestRaw<C extends Request>(command: C): Promise<Reply<C["op"]>> {
    const { op } = command;
    if (this.broken) throw new SetupError(this.broken);
    if (!this.alive) throw new SetupError(`the ${this.host} agent is gone (${op})`);
    const id = this.nextId++;
    const reply = new Promise<ReplyMessage>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
    });
    this.channel.send({ ...command, id } as Command);
    const timeoutMs = REPLY_TIMEOUT_MS + (command.op === "connect" ? command.specs.length : 0);
    const msg = await withTimeout(reply, timeoutMs, () =>
      late(`the ${this.host} agent did not answer "${op}"`, timeoutMs),
    ).finally(() => this.pending.delete(id));
    if (msg.type === "malformed") {
      throw new SetupError(`the ${this.host} agent's reply to "${op}" is malformed: ${msg.why}`);
    }
    if (!msg.ok) throw new SetupError(`the ${this.host} agent failed "${op}": ${msg.error}`);
    const { type: _type, id: _id, ok: _ok, error: _error, ...payload } = msg;
    return payload as Reply<C["op"]>;
  }

  /** Times in a reply (t, and each snapshot reading's t) on the runner's clock. */
  private toRunnerClock(payload: unknown): unknown {
    if (this.offset === 0 || typeof payload !== "object" || payload === null) return payload;
    const out = { ...(payload as Record<string, unknown>) };
    if (typeof out.t === "number") out.t -= this.offset;
    if (out.info && typeof out.info === "object") {
      const info: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(out.info)) {
        const reading = v as { t?: number } | null;
        info[k] = reading?.t === undefined ? reading : { ...reading, t: reading.t - this.offset };
      }
      out.info = info;
    }
    return out;
  }

  /** The signal that ended the agent, once it has exited (null if it exited by itself). */
  get signal(): NodeJS.Signals | null {
    return this.exitSignal;
  }

  get isAlive(): boolean {
    return this.alive;
  }

  /** Close the agent's stdin: it exits by itself (a remote agent lifts its rules first). */
  close(): void {
    if (this.alive) this.channel.close();
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.channel.kill(signal);
  }

  /** A fault's signal to the agent's process (kill() when the link is that process). */
  deliverSignal(signal: NodeJS.Signals): void {
    if (!this.alive) return;
    if (this.channel.deliverSignal) this.channel.deliverSignal(signal);
    else this.channel.kill(signal);
  }

  deathReason(): string {
    const why =
      this.channel.lastError() || (this.exitSignal ? `killed by ${this.exitSignal}` : "no message");
    const via = this.transport.sameClock ? "" : ` (via ${this.transport.where})`;
    return `the ${this.host} agent exited unexpectedly${via}: ${why}`;
  }
}

function versionMismatch(host: string, where: string, theirs: string | undefined): string {
  const what = theirs ? `tcpdrop ${theirs}` : "an older tcpdrop";
  return `the ${host} agent via ${where} is ${what}, but this is tcpdrop ${VERSION}: install tcpdrop ${VERSION} there (or point --remote-command at it)`;
}

function late(what: string, ms = REPLY_TIMEOUT_MS): SetupError {
  return new SetupError(`${what} within ${ms} ms`);
}
