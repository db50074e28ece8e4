// The command line's shape: commands, flags and their help. Each action loads the code that
// does the work only when it runs, so that `tcpdrop --help` starts as fast as Node allows.
import { Command, Option } from "commander";
import type { Flags } from "./actions.js";
import { DEFAULT_HEARTBEAT_FLAG, FOLLOW_UP_GAP_MS } from "./defaults.js";
import { PRE_FAULT_MS, QUIET_PRE_FAULT_MS } from "./plan/timing.js";
import { remoteFlags } from "./remote/flags.js";
import { REPORTERS } from "./reporters/registry.js";
import { VERSION } from "./version.js";

const actions = () => import("./actions.js");
const collect = (value: string, previous: string[] = []) => [...previous, value];
const repeatable = (flags: string, description: string) =>
  new Option(flags, description).argParser(collect);

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
      DEFAULT_HEARTBEAT_FLAG,
    )
    .option("--recverr", "IP_RECVERR on the client sockets: ICMP errors fail the next call at once")
    .option(
      "--sigpipe <ignore|default>",
      "default: send without MSG_NOSIGNAL, so EPIPE kills the client with SIGPIPE",
      "ignore",
    )
    .option("--ipv6", "run the lab over IPv6 (2001:db8::/32)")
    .option("--syn-retries <n>", "net.ipv4.tcp_syn_retries in the client's namespace only")
    .option(
      "--icmp-ratelimit <ms>",
      "the router's ICMP rate limit per destination host in ms, 0 = off (default: the kernel's, 1000)",
    )
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
    .option("--idle-timeout <seconds>", "middleboxes: forget a flow idle this long", "3")
    .option(
      "--request-after <seconds>",
      "pooled: send the request this long after connecting (default: idle timeout + 0.5)",
    )
    .option("--loose <on|off>", "conntrack-flush: nf_conntrack_tcp_loose in the router", "off")
    .option("--window <seconds>", "how long to watch after the fault (max 1200)", "10")
    .option(
      "--ignore-sigterm",
      "shutdown: the server ignores SIGTERM and is SIGKILLed after --grace",
    )
    .option("--grace <seconds>", "shutdown: time between SIGTERM and SIGKILL", "2")
    .option(
      "--pre-fault <ms>",
      `how long the connections live before the fault, in ms (default ${PRE_FAULT_MS}; ${QUIET_PRE_FAULT_MS} when no watched connection sends on a schedule or has keepalive)`,
    )
    .option(
      "--follow-up-gap <ms>",
      `after a first failure: the gap between the follow-up calls (send, send, recv), in ms (default ${FOLLOW_UP_GAP_MS})`,
    );
}

/** Options of the commands that build labs; each file reporter adds its own flag. */
function labOptions(cmd: Command): Command {
  for (const { file } of REPORTERS) if (file) cmd.option(file.option, file.help);
  return cmd
    .addOption(
      repeatable(
        "--expect <expr>",
        'an extra expectation, e.g. "idle: recv ETIMEDOUT within 2.5s..4s" (repeatable)',
      ),
    )
    .option(
      "--packets <on|off>",
      "capture the lab's packets and show them beside the calls (off: no capture)",
      "on",
    )
    .option(
      "--parallel <n>",
      "how many labs run at once (default: all, as far as memory and the file limit allow)",
    )
    .option("--timeout <seconds>", "give up (exit 2) if the whole command takes longer")
    .option(
      "--timing",
      "print on stderr when each run reached each phase, in ms since the process started",
    )
    .option("--json", "print the JSON report (schema 1) on stdout and nothing else");
}

export function buildProgram(setExit: (code: number) => void): Command {
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
    .action(async (opts: { json?: boolean }) => {
      // list needs none of the lab's code: keep it light.
      const { listCommand } = await import("./commands/list.js");
      process.stdout.write(await listCommand(opts));
    });

  program
    .command("doctor")
    .description("check whether tcpdrop can run here, and how to fix what blocks it")
    .option("--json", "print the checks as JSON")
    .action(async (opts: { json?: boolean }) => setExit(await (await actions()).doctor(opts)));

  const run = labOptions(
    settingOptions(
      program
        .command("run")
        .description(
          'run scenarios (names, aliases, "all", or scenario file paths), each in its own lab',
        )
        .argument("<scenario...>", 'scenario names, "all", or paths to scenario files'),
      false,
    )
      .option(
        "--repeat <n>",
        "run each scenario n times; report min, median, max and flaky outcomes",
      )
      .option(
        "--client-cmd <cmd>",
        "your own client instead of the built-in one, traced with strace ({server} {port})",
      )
      .option(
        "--server-cmd <cmd>",
        "your own server instead of the built-in one; it must listen on {server}:{port}",
      )
      .option(
        "--fault-after <seconds>",
        "with --client-cmd: the fault comes this long after its first connection (default 1)",
      ),
  );
  remoteFlags(run).action(async (names: string[], opts: Flags) =>
    setExit(await (await actions()).run(names, opts, VERSION)),
  );

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
  ).action(async (name: string, opts: Flags) =>
    setExit(await (await actions()).compare(name, opts, VERSION)),
  );

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
    .action(async (name: string, opts: Flags) => (await actions()).explain(name, opts));

  // Handled in cli.ts before anything else (the agent owns its process); listed for --help.
  program
    .command("agent")
    .description("the agent that runs on a remote host in remote mode (docs/protocol.md)")
    .allowUnknownOption();

  program
    .command("schema")
    .description("print the JSON Schema of scenario files or of the JSON report")
    .argument("<scenario|report>", "which schema")
    .action(async (name: string) => {
      process.stdout.write((await import("./commands/schema.js")).schemaCommand(name));
    });

  return program;
}

/** Commander's messages, made one line: "unknown option '--x'; did you mean --y?". */
function oneLine(message: string): string {
  const text = message
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean (.+)\?\)\s*$/, "; did you mean $1?")
    .trim();
  return `tcpdrop: ${text}\n`;
}
