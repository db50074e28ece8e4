// A user's program, run through /bin/sh -c under strace inside a lab host (see
// strace-command.ts for the command line and why each part is there). Its trace is parsed as
// it arrives: every record goes to onRecord, the first connection to the server is announced
// (the fault comes --fault-after it), and at the end the program and everything it started is
// killed by PID (the kernel ends its PID namespace with it) and the outcome is collected.
import { type ChildProcess, spawn } from "node:child_process";
import { constants } from "node:os";
import type { Readable } from "node:stream";
import { UsageError } from "../errors.js";
import { forget, remember } from "../lab/registry.js";
import { realMinusMonoMs } from "./clock.js";
import { type Established, EstablishedWatch } from "./established.js";
import { OutputTail } from "./output-tail.js";
import { childrenOf, tracees } from "./process-tree.js";
import { substitute, tracedArgv } from "./strace-command.js";
import { StraceParser } from "./strace-parse.js";
import type { BlockedCall, TraceExit, TraceRecord } from "./trace-types.js";

export interface ProgramOptions {
  /** The user's command; {server} and {port} are replaced. */
  command: string;
  /** The lab host's network namespace: a path to it (Host.netns). */
  netns: string;
  /** The address and port to dial (a client) or to listen on (a server). */
  server: string;
  port: number;
  onRecord?: (record: TraceRecord) => void;
}

export interface ProgramExit {
  code: number | null;
  signal: string | null;
  /**
   * CLOCK_MONOTONIC ms when the program exited: when its last process did (its first, unless
   * others outlived it: a daemon, or the command of a /bin/sh that a signal ended; see `take`).
   */
  atMs: number;
}

export interface ProgramOutcome {
  command: string;
  /** null: still running when the run ended (tcpdrop killed it). */
  exit: ProgramExit | null;
  stdoutTail: string[];
  stderrTail: string[];
  records: TraceRecord[];
  /** strace's own complaint, if it could not run the program (e.g. ptrace not permitted). */
  straceError: string | null;
}

export type ConnectWait =
  | { kind: "established"; established: Established }
  | { kind: "exited"; exit: ProgramExit }
  | { kind: "timeout" };

export class TracedProgram {
  readonly command: string;
  readonly records: TraceRecord[] = [];
  /**
   * Resolves with the program's own exit (see ProgramExit.atMs), or null if it never exits: once
   * it resolves, no process of the program holds a socket any more.
   */
  readonly exited: Promise<ProgramExit | null>;
  private readonly child: ChildProcess;
  private readonly parser = new StraceParser(realMinusMonoMs());
  private readonly watch: EstablishedWatch;
  private readonly stdout = new OutputTail();
  private readonly stderr = new OutputTail();
  private readonly traceEnded: Promise<void>;
  private rootPid: number | null = null;
  private lastKilledBy: string | null = null;
  /** The first process ended while others of the program ran on: the exit waits for the trace's end. */
  private rootEnded: TraceExit | null = null;
  /** The last exit seen after rootEnded's: the program's last process to end. */
  private laterExit: TraceExit | null = null;
  /** stop() ended a program still running: what was left did not exit by itself. */
  private stoppedRunning = false;
  private exit: ProgramExit | null = null;
  private onExit: (exit: ProgramExit | null) => void = () => {};
  private onEstablished: ((e: Established) => void)[] = [];
  private straceText = "";

  private constructor(private readonly options: ProgramOptions) {
    this.command = substitute(options.command, options.server, options.port);
    const address = options.server.includes(":") ? `[${options.server}]` : options.server;
    this.watch = new EstablishedWatch(`${address}:${options.port}`);
    this.exited = new Promise((resolve) => {
      this.onExit = resolve;
    });
    this.child = spawn("nsenter", tracedArgv(options.netns, this.command), {
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      env: {
        ...process.env,
        TCPDROP_SERVER: options.server,
        TCPDROP_PORT: String(options.port),
      },
    });
    if (this.child.pid !== undefined) remember(this.child.pid);
    this.child.stdout?.on("data", (d) => this.stdout.push(d));
    // strace's own messages come on stderr too; the program's stderr is the same stream.
    this.child.stderr?.on("data", (d) => {
      this.stderr.push(d);
      if (this.straceText.length < 4096) this.straceText += d;
    });
    this.traceEnded = this.read(this.child.stdio[3] as Readable);
    this.child.on("exit", () => {
      if (this.child.pid !== undefined) forget(this.child.pid);
    });
    this.child.on("error", () => this.onExit(null));
  }

  /** Start the program; an empty command is a usage error. */
  static start(options: ProgramOptions): TracedProgram {
    if (options.command.trim() === "")
      throw new UsageError(
        "the program's command is empty: give a command, e.g. --client-cmd 'curl http://{server}:{port}/'",
      );
    return new TracedProgram(options);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Send a signal to every process of the program (systemd's default: the whole group, so a
   * shell that forked the command does not shield it). Faults that act on a process use this:
   * kill, shutdown's SIGTERM then SIGKILL, freeze (SIGSTOP) and thaw. Returns how many.
   */
  signal(signal: NodeJS.Signals): number {
    const unshare = this.child.pid;
    const strace = unshare === undefined ? undefined : childrenOf(unshare)[0];
    if (strace === undefined) return 0;
    let sent = 0;
    for (const pid of tracees(strace)) {
      try {
        process.kill(pid, signal);
        sent++;
      } catch {
        // it has just exited
      }
    }
    return sent;
  }

  /** Wait for the first connection to the server, the program's exit, or the timeout. */
  waitEstablished(timeoutMs: number): Promise<ConnectWait> {
    const first = this.watch.first;
    if (first) return Promise.resolve({ kind: "established", established: first });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ kind: "timeout" }), timeoutMs);
      this.onEstablished.push((established) => {
        clearTimeout(timer);
        resolve({ kind: "established", established });
      });
      this.exited.then((exit) => {
        clearTimeout(timer);
        if (exit) resolve({ kind: "exited", exit });
        else resolve({ kind: "timeout" });
      });
    });
  }

  /** The calls blocked right now (for a live view). */
  blockedNow(): BlockedCall[] {
    return this.parser.blockedNow();
  }

  /** Kill the program and everything it started (by PID), and collect what it did. */
  async stop(): Promise<ProgramOutcome> {
    const running = () => this.child.exitCode === null && this.child.signalCode === null;
    if (running()) {
      // strace first: the kernel then ends its PID namespace and unshare reaps it and exits.
      // unshare too if that does not happen at once (it would kill strace on its way out).
      const strace = this.child.pid === undefined ? undefined : childrenOf(this.child.pid)[0];
      try {
        if (strace !== undefined) process.kill(strace, "SIGKILL");
        // what was left did not end by itself
        this.stoppedRunning = strace !== undefined;
      } catch {
        // it has just exited
      }
      const exited = new Promise((resolve) => this.child.once("exit", resolve));
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 500))]);
      if (running()) this.child.kill("SIGKILL");
    }
    await this.traceEnded;
    this.onExit(this.exit);
    const failed = this.rootPid === null ? this.straceText.trim().split("\n").pop() : undefined;
    return {
      command: this.command,
      exit: this.exit,
      stdoutTail: this.stdout.lines(),
      // unshare (the PID namespace's keeper) may speak as it ends: not the program's words.
      stderrTail: this.stderr.lines().filter((line) => !line.startsWith("unshare: ")),
      records: this.records,
      straceError: failed || null,
    };
  }

  /** Does a process of the program other than its first still run (strace still traces one)? */
  private othersRunning(): boolean {
    const unshare = this.child.pid;
    const strace = unshare === undefined ? undefined : childrenOf(unshare)[0];
    if (strace === undefined) return false;
    return tracees(strace).some((pid) => pid !== this.rootPid);
  }

  /** The program's exit is this record's; sh exits 128+N when its command was killed by signal N: say so. */
  private exitWith(record: TraceExit): void {
    const killed = this.lastKilledBy;
    const bySignal =
      killed !== null &&
      record.code === 128 + (constants.signals[killed as NodeJS.Signals] ?? -200);
    const signal = record.signal ?? (bySignal ? killed : null);
    this.exit = { code: record.code, signal, atMs: record.atMs };
    this.onExit(this.exit);
  }

  /** Read strace's lines as they come; a last line cut short is a call still blocked. */
  private read(stream: Readable): Promise<void> {
    let rest = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (rest + chunk.toString()).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) this.take(this.parser.push(line), line);
    });
    return new Promise((resolve) => {
      stream.on("close", () => {
        this.take(this.parser.end(rest), rest);
        // every process has ended (strace ends after its last tracee): the last one's is the exit
        const ended = this.stoppedRunning ? null : (this.laterExit ?? this.rootEnded);
        if (ended) this.exitWith(ended);
        resolve();
      });
    });
  }

  private take(records: TraceRecord[], line: string): void {
    if (this.rootPid === null) {
      const pid = /^(\d+) /.exec(line)?.[1];
      if (pid) this.rootPid = Number(pid);
    }
    for (const record of records) {
      this.records.push(record);
      this.options.onRecord?.(record);
      if (record.kind === "exit" && record.signal) this.lastKilledBy = record.signal;
      if (record.kind === "exit" && this.rootEnded) this.laterExit = record;
      else if (record.kind === "exit" && record.pid === this.rootPid && !this.exit) {
        // The program has exited when its last process has, as systemd sees a service stop:
        // a signal to all of it (a fault's SIGTERM) ends /bin/sh at once while the command it
        // forked may take its time (a graceful shutdown that drains), and a daemon outlives
        // the process that started it. Which are left is the kernel's to say (/proc).
        if (this.othersRunning()) this.rootEnded = record;
        else this.exitWith(record);
      }
      const before = this.watch.first;
      const now = this.watch.push(record);
      if (now && !before) for (const notify of this.onEstablished) notify(now);
    }
  }
}
