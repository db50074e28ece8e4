// tcpdrop's command line: argv -> command. The only place that turns errors into exit codes:
// 0 every expectation held, 1 an expectation failed, 2 usage, scenario-file or setup error
// (one line, no stack trace).
import { readFileSync, writeFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { compareCommand } from "./commands/compare.js";
import { doctorCommand } from "./commands/doctor.js";
import { explain, renderExplanation } from "./commands/explain.js";
import { listCommand } from "./commands/list.js";
import { runCommand } from "./commands/run.js";
import { parseCount } from "./commands/settings.js";
import { SetupError, UsageError } from "./errors.js";
import { killAllAgents } from "./lab/registry.js";
import { maybeReexecInUserns } from "./lab/userns.js";
import {
  createProgress,
  type Progress,
  renderCompare,
  renderJson,
  renderJunit,
  renderPretty,
  renderRepeat,
} from "./reporters/index.js";
import type { JobHooks } from "./runner/jobs.js";
import { summarizeRepeats } from "./runner/stats.js";
import type { Report } from "./types.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];
const repeatable = (flags: string, description: string) =>
  new Option(flags, description).argParser(collect);

type Flags = Record<string, unknown> & { json?: boolean; junit?: string; timeout?: string };

/** Settings flags shared by run, compare and explain. */
function settingOptions(cmd: Command, repeated: boolean): Command {
  const add = (flags: string, description: string, fallback?: string) => {
    if (repeated) cmd.addOption(repeatable(flags, `${description} (repeatable: one run each)`));
    else cmd.option(flags, description, fallback);
  };
  add(
    "--keepalive <idle,intvl,cnt|off>",
    "SO_KEEPALIVE with TCP_KEEPIDLE,TCP_KEEPINTVL,TCP_KEEPCNT in seconds",
    "off",
  );
  add("--user-timeout <ms>", "TCP_USER_TIMEOUT on the client sockets, in ms");
  add("--retries2 <n>", "net.ipv4.tcp_retries2 in the client's namespace only");
  add(
    "--engine <syscall|node>",
    "client sockets: raw libc syscalls, or node:net as a Node.js service sees them",
    "syscall",
  );
  return cmd
    .addOption(
      repeatable(
        "--detect <methods>",
        `watch with these methods side by side: recv, poll, tcp-info, keepalive, user-timeout, heartbeat, urgent, or all`,
      ),
    )
    .option(
      "--heartbeat <P,N>",
      "heartbeat method: a ping every P ms, dead after N unanswered",
      "500,3",
    )
    .option("--recverr", "IP_RECVERR on the client sockets: ICMP errors fail the next call at once")
    .option(
      "--sigpipe <ignore|default>",
      "default: send without MSG_NOSIGNAL, so EPIPE kills the client with SIGPIPE",
      "ignore",
    )
    .option("--ipv6", "run the lab over IPv6 (2001:db8::/32)")
    .option("--syn-retries <n>", "net.ipv4.tcp_syn_retries in the client's namespace only")
    .option("--duration <seconds>", "partition-heal: how long the partition lasts", "3")
    .option(
      "--observer <client|server>",
      "whose sockets are watched (server: the client host is what fails)",
    )
    .option(
      "--connections <n>",
      "open n connections of each workload; report the distribution of detection times",
    )
    .option(
      "--events <all|summary>",
      "with --connections: keep every call of every connection in the JSON",
      "summary",
    )
    .option("--window <seconds>", "how long to watch after the fault (max 1200)", "10")
    .option(
      "--ignore-sigterm",
      "shutdown: the server ignores SIGTERM and is SIGKILLed after --grace",
    )
    .option("--grace <seconds>", "shutdown: time between SIGTERM and SIGKILL", "2");
}

/** Options of the commands that build labs. */
function labOptions(cmd: Command): Command {
  return cmd
    .addOption(
      repeatable(
        "--expect <expr>",
        'an extra expectation, e.g. "idle: recv ETIMEDOUT within 2.5s..4s" (repeatable)',
      ),
    )
    .option("--parallel <n>", "how many labs run at once (default 4)")
    .option("--junit <file>", "also write JUnit XML, one testcase per expectation")
    .option("--timeout <seconds>", "give up (exit 2) if the whole command takes longer")
    .option("--json", "print the JSON report (schema 1) on stdout and nothing else");
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("tcpdrop")
    .description(
      "Run TCP failure scenarios against the real Linux kernel and report what each socket call saw.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(oneLine(str)) })
    .showSuggestionAfterError(true);

  program
    .command("list")
    .description("list the built-in scenarios, one line each")
    .option("--json", "print them as JSON")
    .action((opts: { json?: boolean }) => {
      process.stdout.write(listCommand(opts));
    });

  program
    .command("doctor")
    .description("check whether tcpdrop can run here, and how to fix what blocks it")
    .option("--json", "print the checks as JSON")
    .action(async (opts: { json?: boolean }) => {
      const { output, exitCode } = await doctorCommand(opts);
      process.stdout.write(output);
      setExit(exitCode);
    });

  labOptions(
    settingOptions(
      program
        .command("run")
        .description(
          'run scenarios (names, aliases, "all", or scenario file paths), each in its own lab',
        )
        .argument("<scenario...>", 'scenario names, "all", or paths to scenario files'),
      false,
    ).option(
      "--repeat <n>",
      "run each scenario n times; report min, median, max and flaky outcomes",
    ),
  ).action(async (names: string[], opts: Flags) => {
    const result = await withTimeout(opts.timeout, () =>
      runCommand(names, { ...opts, hooks: liveProgress() }, VERSION),
    );
    deliver(result.report, opts, (r, color) => {
      const repeated = r.runs.some((run) => run.repetition !== undefined);
      if (!repeated) return renderPretty(r, { color });
      const byScenario = [...new Set(r.runs.map((run) => run.scenario))];
      return byScenario.map((name) => repeatReport(name, r, color)).join("\n");
    });
    setExit(result.exitCode);
  });

  labOptions(
    settingOptions(
      program
        .command("compare")
        .description("run one scenario once per setting and tabulate detection times side by side")
        .argument("<scenario>", "scenario name or file")
        .addOption(
          repeatable(
            "--setting <settings>",
            'several knobs in one run: "keepalive=1,1,2 user-timeout=3000"',
          ),
        ),
      true,
    ),
  ).action(async (name: string, opts: Flags) => {
    const result = await withTimeout(opts.timeout, () =>
      compareCommand(name, { ...opts, hooks: liveProgress() }, VERSION),
    );
    deliver(result.report, opts, (r, color) =>
      renderCompare(
        r.runs.map((run) => ({ setting: run.label ?? "", run })),
        { color },
      ),
    );
    setExit(result.exitCode);
  });

  settingOptions(
    program
      .command("explain")
      .description(
        "explain a scenario: the wire, the kernel parameters that decide the timing, the predictions",
      )
      .argument("<scenario>", "scenario name or file"),
    false,
  )
    .option("--json", "print the explanation as JSON")
    .action((name: string, opts: Flags) => {
      const explanation = explain(name, opts);
      process.stdout.write(
        opts.json ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation),
      );
    });

  return program;
}

/** --repeat: one header, the min/median/max table and a verdict per scenario. */
function repeatReport(name: string, report: Report, color: boolean): string {
  const runs = report.runs.filter((run) => run.scenario === name);
  const failed = runs.filter((run) => !run.passed).length;
  const verdict = failed
    ? `FAIL ${name} (${failed} of ${runs.length} repetitions failed)`
    : `PASS ${name}`;
  const table = renderRepeat(summarizeRepeats(runs), { color });
  return `tcpdrop run ${name} × ${runs.length}\n${table}${verdict}\n`;
}

/** Commander's messages, made one line: "unknown option '--x'; did you mean --y?". */
function oneLine(message: string): string {
  const text = message
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean (.+)\?\)\s*$/, "; did you mean $1?")
    .trim();
  return `tcpdrop: ${text}\n`;
}

/** The live status line on stderr (a TTY only), shared by every lab running. */
function liveProgress(): JobHooks {
  let progress: Progress | undefined;
  let done = 0;
  return {
    onProgress: (job, elapsed, events) => {
      progress ??= createProgress(process.stderr, job.settings.windowS);
      const label = [job.scenario.name, job.label, job.repetition && `#${job.repetition}`]
        .filter(Boolean)
        .join(" ");
      progress.update(elapsed, events, done ? `${label} (${done} done)` : label);
    },
    onDone: () => {
      done++;
      progress?.done();
    },
  };
}

/** Print the report in the asked-for form, and the JUnit file if asked. */
function deliver(report: Report, opts: Flags, human: (r: Report, color: boolean) => string): void {
  if (opts.junit) {
    try {
      writeFileSync(opts.junit, renderJunit(report));
    } catch (err) {
      throw new UsageError(
        `cannot write --junit ${opts.junit}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      );
    }
  }
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  process.stdout.write(opts.json ? renderJson(report) : human(report, color));
}

/** --timeout: a cap on the whole command; past it the labs are torn down and the exit is 2. */
function withTimeout<T>(seconds: string | undefined, work: () => Promise<T>): Promise<T> {
  if (seconds === undefined) return work();
  const limit = parseCount("--timeout", seconds, 0, 86_400);
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SetupError(`gave up after --timeout ${limit} s; the labs were torn down`)),
      limit * 1000,
    );
  });
  return Promise.race([work(), expired]).finally(() => clearTimeout(timer));
}

function onSignal(signal: NodeJS.Signals, code: number): void {
  process.on(signal, () => {
    killAllAgents();
    const newline = process.stderr.isTTY ? "\n" : ""; // end the live status line, if any
    process.stderr.write(`${newline}tcpdrop: interrupted by ${signal}; the lab was torn down\n`);
    process.exit(code);
  });
}

export async function main(argv: string[]): Promise<number> {
  process.env.PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`;
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
      "tcpdrop: name a command: run, compare, explain, list or doctor (tcpdrop --help shows them)\n",
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
});
