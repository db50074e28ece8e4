// The agent as a process of its own, started inside a lab host's network namespace where a
// fault needs a real process (a signal, SIGPIPE, the node engine, thousands of connections):
// it reads commands as JSON lines on stdin, hands them to the agent core (core.ts), and
// writes every message as a JSON line on stdout. It dies with the runner (PR_SET_PDEATHSIG and
// stdin EOF). `tcpdrop agent` is this same process on a remote host (remote mode), reached
// over ssh, kubectl exec or any command; docs/protocol.md describes what it reads and writes.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { commandSchema } from "../protocol.js";
import { readyMessage } from "../version.js";
import { AgentCore } from "./core.js";
import { batchOutput, emit, flush } from "./emit.js";
import { cleanUpHost, firewallOp, hostInfo, signalAgent } from "./host-ops.js";
import { PR_SET_PDEATHSIG, RLIMIT_NOFILE, SIGHUP, SIGKILL, SIGPIPE, sys } from "./libc.js";
import { Poller } from "./poller.js";

const args = process.argv.slice(2);
const host = args[args.indexOf("--host") + 1] ?? "?";
const ignoreSigterm = args.includes("--ignore-sigterm");
// A careless C program: SIGPIPE keeps its default action (death). Node ignores it otherwise.
if (args.includes("--sigpipe-default")) sys.signal(SIGPIPE, null);
const expectedParent = Number(process.env.TCPDROP_RUNNER_PID ?? 0);

// A lab agent dies with the runner at once. A remote agent (`tcpdrop agent`, no runner PID) is
// told by SIGHUP instead, and first lifts any firewall rule it added (see exit()).
sys.prctl(PR_SET_PDEATHSIG, expectedParent ? SIGKILL : SIGHUP, 0, 0, 0);
if (expectedParent && sys.getppid() !== expectedParent) process.exit(1); // runner already gone

const poller = new Poller();
if (args.includes("--quiet")) batchOutput();
raiseFileLimit();
const core = new AgentCore({
  host,
  quiet: args.includes("--quiet"),
  reusePort: args.includes("--reuseport"),
  poller,
  openSocket: sys.socket,
  emit,
  onExit: () => void exit(0),
  onQuiet: batchOutput,
  hostOps: {
    "host-info": () => hostInfo(),
    signal: (cmd) => signalAgent(cmd),
    firewall: (cmd) => firewallOp(cmd),
  },
  nodeEngine: true,
});

/**
 * Thousands of connections need thousands of descriptors: as root (in the machine's own user
 * namespace) raise the hard limit to fs.nr_open; elsewhere lift the soft limit to the hard one.
 */
function raiseFileLimit(): void {
  const limit = Buffer.alloc(16);
  if (sys.getrlimit(RLIMIT_NOFILE, limit) !== 0) return;
  const hard = limit.readBigUInt64LE(8);
  let nrOpen = 0n;
  try {
    nrOpen = BigInt(Number(readFileSync("/proc/sys/fs/nr_open", "utf8").trim()) || 0);
  } catch {}
  if (nrOpen > hard) {
    limit.writeBigUInt64LE(nrOpen, 0);
    limit.writeBigUInt64LE(nrOpen, 8);
    if (sys.setrlimit(RLIMIT_NOFILE, limit) === 0) return;
  }
  limit.writeBigUInt64LE(hard, 0);
  limit.writeBigUInt64LE(hard, 8);
  sys.setrlimit(RLIMIT_NOFILE, limit);
}

/** One line from stdin: parsed and checked here, where it crossed from another process. */
function dispatch(line: string): void {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    emit({ type: "reply", id: -1, ok: false, error: `not JSON: ${line.slice(0, 80)}` });
    return;
  }
  const checked = commandSchema.safeParse(json);
  if (!checked.success) {
    const id =
      typeof (json as { id?: unknown })?.id === "number" ? (json as { id: number }).id : -1;
    const issue = checked.error.issues[0];
    emit({
      type: "reply",
      id,
      ok: false,
      error: `bad command: ${issue?.path.join(".")}: ${issue?.message}`,
    });
    return;
  }
  void core.handle(checked.data);
}

for (const signal of ["SIGHUP", "SIGINT"] as const) process.on(signal, () => void exit(0));

process.on("SIGTERM", () => {
  if (core.sigterm(ignoreSigterm)) void exit(0);
});

/** Exit as soon as the poller's worker thread is back (it would otherwise hold the exit up). */
async function exit(code: number): Promise<never> {
  cleanUpHost();
  flush();
  await poller.stop();
  process.exit(code);
}

poller.start();
const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim()) dispatch(line);
});
input.on("close", () => void exit(0));
emit(readyMessage(host));
