// A running agent as the runner sees it: a child process that joined a lab host's network
// namespace (`nsenter --net=...`), spoken to in JSON lines.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SetupError } from "../errors.js";
import {
  type AgentMessage,
  type Command,
  messageSchema,
  type Reply,
  type Request,
  replySchemas,
} from "../protocol.js";
import { withTimeout } from "../timeout.js";
import { forget, remember } from "./registry.js";

const AGENT_MAIN = fileURLToPath(new URL("../agent/main.js", import.meta.url));
const REPLY_TIMEOUT_MS = 5000;

export type { AgentMessage } from "../protocol.js";

export class AgentProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<
    number,
    (msg: Extract<AgentMessage, { type: "reply" }>) => void
  >();
  private nextId = 1;
  private stderr = "";
  private exitSignal: NodeJS.Signals | null = null;
  /** Set when the agent wrote something the protocol does not allow. */
  private broken: string | undefined;
  private alive = true;
  private readonly ready: Promise<void>;

  private constructor(
    readonly host: string,
    netns: string,
    flags: string[],
    private readonly onMessage: (host: string, msg: AgentMessage) => void,
  ) {
    const argv = [`--net=${netns}`, "--", process.execPath, AGENT_MAIN, "--host", host, ...flags];
    this.child = spawn("nsenter", argv, {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, TCPDROP_RUNNER_PID: String(process.pid) },
    });
    if (this.child.pid === undefined)
      throw new SetupError("cannot start a lab agent: nsenter not found");
    this.pid = this.child.pid;
    remember(this.pid);
    this.child.stderr.on("data", (chunk) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.alive = false;
        this.exitSignal = signal;
        forget(this.pid);
        resolve(code);
      });
    });
    this.ready = new Promise((resolve, reject) => {
      const lines = createInterface({ input: this.child.stdout });
      lines.on("line", (line) => this.receive(line, resolve));
      this.exited.then(() => reject(new SetupError(this.deathReason())));
      this.child.on("error", (err) =>
        reject(new SetupError(`cannot start a lab agent: ${err.message}`)),
      );
    });
    this.ready.catch(() => {});
  }

  /** Start an agent in a host's network namespace and wait until it says it is ready. */
  static async start(
    host: string,
    netns: string,
    flags: string[],
    onMessage: (host: string, msg: AgentMessage) => void,
  ): Promise<AgentProcess> {
    const agent = new AgentProcess(host, netns, flags, onMessage);
    await withTimeout(agent.ready, REPLY_TIMEOUT_MS, () => late(`the ${host} agent did not start`));
    return agent;
  }

  private receive(line: string, ready: () => void): void {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return; // not a protocol line (a stray write): ignored
    }
    const checked = messageSchema.safeParse(json);
    if (!checked.success) {
      this.broken = `the ${this.host} agent wrote a malformed message: ${line.slice(0, 120)}`;
      return;
    }
    const msg = checked.data;
    if (msg.type === "ready") ready();
    else if (msg.type === "reply") this.pending.get(msg.id)?.(msg);
    else this.onMessage(this.host, msg);
  }

  /**
   * Send a command and wait for its reply; a failed or missing reply is a setup error. A
   * connect waits for its connections: thousands of them get a millisecond each on top.
   */
  async request<C extends Request>(command: C): Promise<Reply<C["op"]>> {
    const { op } = command;
    if (this.broken) throw new SetupError(this.broken);
    if (!this.alive) throw new SetupError(`the ${this.host} agent is gone (${op})`);
    const id = this.nextId++;
    const reply = new Promise<Extract<AgentMessage, { type: "reply" }>>((resolve, reject) => {
      this.pending.set(id, resolve);
      this.exited.then(() => reject(new SetupError(this.deathReason())));
    });
    const line: Command = { ...command, id } as Command;
    this.child.stdin.write(`${JSON.stringify(line)}\n`);
    const timeoutMs = REPLY_TIMEOUT_MS + (command.op === "connect" ? command.specs.length : 0);
    const msg = await withTimeout(reply, timeoutMs, () =>
      late(`the ${this.host} agent did not answer "${op}"`, timeoutMs),
    );
    this.pending.delete(id);
    if (!msg.ok) throw new SetupError(`the ${this.host} agent failed "${op}": ${msg.error}`);
    const payload = replySchemas[op].safeParse(msg);
    if (!payload.success) {
      throw new SetupError(
        `the ${this.host} agent's reply to "${op}" is malformed: ${payload.error.issues[0]?.message}`,
      );
    }
    return payload.data as Reply<C["op"]>;
  }

  /** The signal that ended the agent, once it has exited (null if it exited by itself). */
  get signal(): NodeJS.Signals | null {
    return this.exitSignal;
  }

  kill(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  deathReason(): string {
    const why =
      this.stderr.trim().split("\n").pop() ||
      (this.exitSignal ? `killed by ${this.exitSignal}` : "no message");
    return `the ${this.host} agent exited unexpectedly: ${why}`;
  }
}

function late(what: string, timeoutMs = REPLY_TIMEOUT_MS): SetupError {
  return new SetupError(`${what} within ${timeoutMs} ms`);
}
