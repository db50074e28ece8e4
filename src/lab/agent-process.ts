// A running agent as the runner sees it: a child process that joined a lab host's network
// namespace (`nsenter --net=...`), spoken to in JSON lines.
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SetupError } from "../errors.js";
import { forget, remember } from "./registry.js";

const AGENT_MAIN = fileURLToPath(new URL("../agent/main.js", import.meta.url));
const REPLY_TIMEOUT_MS = 5000;

/** A line the agent wrote: an event, a reply, "ready" or "done". */
export type AgentMessage = { type: string; [key: string]: unknown };

export class AgentProcess {
  readonly pid: number;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, (msg: AgentMessage) => void>();
  private nextId = 1;
  private stderr = "";
  private exitSignal: NodeJS.Signals | null = null;
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
    await withTimeout(agent.ready, `the ${host} agent did not start`);
    return agent;
  }

  private receive(line: string, ready: () => void): void {
    let msg: AgentMessage;
    try {
      msg = JSON.parse(line) as AgentMessage;
    } catch {
      return;
    }
    if (msg.type === "ready") ready();
    else if (msg.type === "reply") this.pending.get(msg.id as number)?.(msg);
    else this.onMessage(this.host, msg);
  }

  /** Send a command and wait for its reply; a failed or missing reply is a setup error. */
  async request(op: string, payload: Record<string, unknown> = {}): Promise<AgentMessage> {
    if (!this.alive) throw new SetupError(`the ${this.host} agent is gone (${op})`);
    const id = this.nextId++;
    const reply = new Promise<AgentMessage>((resolve, reject) => {
      this.pending.set(id, resolve);
      this.exited.then(() => reject(new SetupError(this.deathReason())));
    });
    this.child.stdin.write(`${JSON.stringify({ id, op, ...payload })}\n`);
    const msg = await withTimeout(reply, `the ${this.host} agent did not answer "${op}"`);
    this.pending.delete(id);
    if (!msg.ok) throw new SetupError(`the ${this.host} agent failed "${op}": ${msg.error}`);
    return msg;
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

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SetupError(`${what} within ${REPLY_TIMEOUT_MS} ms`)),
      REPLY_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
