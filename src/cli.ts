// tcpdrop's command line: argv -> command. The only place that turns errors into exit codes:
// 0 every expectation held, 1 an expectation failed, 2 usage, scenario-file or setup error
// (one line, no stack trace).
import { readFileSync } from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { listCommand } from "./commands/list.js";
import { runCommand } from "./commands/run.js";
import { SetupError, UsageError } from "./errors.js";
import { killAllAgents } from "./lab/registry.js";
import { createProgress, type Progress, renderJson, renderPretty } from "./reporters/index.js";

const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command("tcpdrop")
    .description(
      "Run TCP failure scenarios against the real Linux kernel and report what each socket call saw.",
    )
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      outputError: (str, write) => write(`tcpdrop: ${str.replace(/^error: /, "")}`),
    })
    .showSuggestionAfterError(true);

  program
    .command("list")
    .description("list the built-in scenarios, one line each")
    .option("--json", "print them as JSON")
    .action((opts: { json?: boolean }) => {
      process.stdout.write(listCommand(opts));
    });

  program
    .command("run")
    .description(
      'run scenarios (names, aliases, "all", or scenario file paths), each in its own lab',
    )
    .argument("<scenario...>", 'scenario names, "all", or paths to scenario files')
    .option(
      "--keepalive <idle,intvl,cnt|off>",
      "SO_KEEPALIVE with TCP_KEEPIDLE,TCP_KEEPINTVL,TCP_KEEPCNT in seconds",
      "off",
    )
    .option("--user-timeout <ms>", "TCP_USER_TIMEOUT on the client sockets, in ms")
    .option("--retries2 <n>", "net.ipv4.tcp_retries2 in the client's namespace only")
    .option("--window <seconds>", "how long to watch after the fault (max 1200)", "10")
    .option(
      "--ignore-sigterm",
      "shutdown: the server ignores SIGTERM and is SIGKILLed after --grace",
    )
    .option("--grace <seconds>", "shutdown: time between SIGTERM and SIGKILL", "2")
    .addOption(
      new Option(
        "--expect <expr>",
        'an extra expectation, e.g. "idle: recv ETIMEDOUT within 2.5s..4s" (repeatable)',
      ).argParser(collect),
    )
    .option("--json", "print the JSON report (schema 1) on stdout and nothing else")
    .action(async (names: string[], opts: Record<string, unknown>) => {
      const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
      let progress: Progress | undefined;
      const { report, exitCode } = await runCommand(
        names,
        {
          ...opts,
          onProgress: (scenario, elapsed, events, windowS) => {
            progress ??= createProgress(process.stderr, windowS);
            progress.update(elapsed, events, scenario);
          },
          onRunDone: () => {
            progress?.done();
            progress = undefined;
          },
        },
        VERSION,
      );
      process.stdout.write(opts.json ? renderJson(report) : renderPretty(report, { color }));
      setExit(exitCode);
    });
  return program;
}

function onSignal(signal: NodeJS.Signals, code: number): void {
  process.on(signal, () => {
    killAllAgents();
    process.stderr.write(`\ntcpdrop: interrupted by ${signal}; the lab was torn down\n`);
    process.exit(code);
  });
}

export async function main(argv: string[]): Promise<number> {
  process.env.PATH = `${process.env.PATH ?? ""}:/usr/sbin:/sbin:/usr/bin:/bin`;
  onSignal("SIGINT", 130);
  onSignal("SIGTERM", 143);
  onSignal("SIGHUP", 129);
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
      return err.code === "commander.helpDisplayed" ||
        err.code === "commander.version" ||
        err.exitCode === 0
        ? 0
        : 2;
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
