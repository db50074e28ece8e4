// The user's server (--server-cmd) as the lab's server process: started traced in the server
// host, ready once something listens on {server}:{port} (bounded: a server that never listens
// is a setup error naming what it said), signalled by the faults that act on a process (kill,
// shutdown, freeze), killed with its whole PID namespace when its host crashes, and started
// again with the same command for a restart.
import { SetupError } from "../errors.js";
import type { LabProcess } from "../lab/lab-process.js";
import { waitListening } from "../program/read-sockets.js";
import { type ProgramOutcome, TracedProgram } from "../program/run-program.js";

/** How long a server program may take to listen. */
export const LISTEN_BOUND_MS = 10_000;

class ServerProcess implements LabProcess {
  readonly host = "server";
  constructor(readonly program: TracedProgram) {}

  get exited(): Promise<unknown> {
    return this.program.exited;
  }

  /**
   * The signal goes to every process of the program (strace stays, to report their end); the
   * run ends what is left with the program's PID namespace.
   */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    this.program.signal(signal);
  }

  deathReason(): string {
    return "the server program (--server-cmd) exited by itself before the fault; a server must keep running";
  }
}

export class ServerPrograms {
  /** Every start of the server program: the first, then each restart. */
  readonly started: TracedProgram[] = [];
  private outcomes: Promise<ProgramOutcome[]> | undefined;

  constructor(private readonly command: string) {}

  /** The lab's `serverProcess`: start the program and wait until it listens. */
  start = async (netns: string, ip: string, port: number): Promise<LabProcess> => {
    const program = TracedProgram.start({ command: this.command, netns, server: ip, port });
    this.started.push(program);
    const listening = await Promise.race([
      waitListening(netns, ip, port, LISTEN_BOUND_MS),
      program.exited.then(() => "exited" as const),
    ]);
    if (listening === true) return new ServerProcess(program);
    const outcome = await program.stop();
    const said = [...outcome.stderrTail, ...outcome.stdoutTail].filter((l) => l.trim()).pop();
    const words = said ? ` (its last words: "${said.trim().slice(0, 160)}")` : "";
    const where = `${ip.includes(":") ? `[${ip}]` : ip}:${port}`;
    if (outcome.straceError && outcome.records.length === 0)
      throw new SetupError(`strace could not run the server program: ${outcome.straceError}`);
    const how =
      listening === "exited" && outcome.exit
        ? `exited (${outcome.exit.signal ?? `code ${outcome.exit.code}`}) without listening on ${where}`
        : `did not listen on ${where} within ${LISTEN_BOUND_MS / 1000} s`;
    throw new SetupError(
      `the server program ${how}${words}; --server-cmd must listen on {server}:{port} (or $TCPDROP_SERVER:$TCPDROP_PORT)`,
    );
  };

  /** The server program running now (the last started). */
  current(): TracedProgram | undefined {
    return this.started[this.started.length - 1];
  }

  /** Give the current program up to `ms` to end (a fault ended it: let strace write its end). */
  async settle(ms: number): Promise<void> {
    const current = this.current();
    if (current) await Promise.race([current.exited, new Promise((r) => setTimeout(r, ms))]);
  }

  /** Stop every start of the program (once) and collect what each did. */
  stopAll(): Promise<ProgramOutcome[]> {
    this.outcomes ??= Promise.all(this.started.map((p) => p.stop()));
    return this.outcomes;
  }
}
