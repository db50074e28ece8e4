// tcpdrop's command line: argv -> command. The only place that turns errors into exit codes:
// 0 every expectation held, 1 an expectation failed, 2 usage, scenario-file or setup error
// (one line, no stack trace).
import { CommanderError } from "commander";
import { SetupError, UsageError } from "./errors.js";
import { killAllAgents } from "./lab/registry.js";
import { maybeReexecInUserns } from "./lab/userns.js";
import { buildProgram } from "./program.js";

function onSignal(signal: NodeJS.Signals, code: number): void {
  process.on(signal, () => {
    killAllAgents();
    const newline = process.stderr.isTTY ? "\n" : ""; // end the live status line, if any
    process.stderr.write(`${newline}tcpdrop: interrupted by ${signal}; the lab was torn down\n`);
    process.exit(code);
  });
}

/**
 * A reader that stops early (`tcpdrop run all --json | head`) closes the pipe: the rest of the
 * output is not wanted, and writing it is no error. Node ignores SIGPIPE, so each write would
 * fail with EPIPE (and an unhandled error event would end tcpdrop with a stack trace). The
 * command goes on and exits with its own code: the run's outcome does not depend on who read it.
 * Node makes process.stdout and process.stderr when they are first used (on a pipe that loads
 * its stream modules, a few ms that a run's start need not pay): the handler is added then.
 */
function quietWhenReaderLeaves(name: "stdout" | "stderr"): void {
  const quiet = (stream: NodeJS.WriteStream) =>
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE" && err.code !== "ERR_STREAM_DESTROYED") throw err;
    });
  const made = Object.getOwnPropertyDescriptor(process, name);
  if (!made?.get || !made.configurable) {
    quiet(process[name]);
    return;
  }
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: made.enumerable,
    get() {
      const stream = quiet(made.get?.call(process) as NodeJS.WriteStream);
      Object.defineProperty(process, name, {
        configurable: true,
        enumerable: made.enumerable,
        value: stream,
      });
      return stream;
    },
  });
}

export async function main(argv: string[]): Promise<number> {
  quietWhenReaderLeaves("stdout");
  quietWhenReaderLeaves("stderr");
  process.env.PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`;
  if (argv[2] === "agent") return (await import("./commands/agent.js")).agentCommand(argv.slice(3));
  // Not root: run again inside a user namespace where we are (before our own signal handlers,
  // so that the inner tcpdrop tears its labs down while this one waits for it).
  try {
    const reexec = await maybeReexecInUserns(argv.slice(2));
    if (reexec !== null) return reexec;
  } catch (err) {
    if (!(err instanceof SetupError)) throw err;
    process.stderr.write(`tcpdrop: ${err.message}\n`);
    return 2;
  }
  onSignal("SIGINT", 130);
  onSignal("SIGTERM", 143);
  onSignal("SIGHUP", 129);
  if (argv.length <= 2) {
    process.stderr.write(
      "tcpdrop: name a command: run, compare, explain, list, doctor or schema (tcpdrop --help shows them)\n",
    );
    return 2;
  }
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (err) {
    killAllAgents();
    if (err instanceof CommanderError) {
      const clean = ["commander.helpDisplayed", "commander.version", "commander.help"];
      return clean.includes(err.code) || err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof UsageError || err instanceof SetupError) {
      process.stderr.write(`tcpdrop: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `tcpdrop: internal error (please report it): ${(err as Error).stack ?? err}\n`,
    );
    return 2;
  }
}

main(process.argv).then((code) => {
  process.exitCode = code;
  // Once nothing is left to do (output flushed, children reaped), exit at once: Node's own
  // teardown after that closes the signal handlers first, and a Ctrl-C in those last
  // milliseconds would end tcpdrop by the signal instead of with its exit code (130 or this).
  process.once("beforeExit", () => process.exit());
});
