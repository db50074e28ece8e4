// The agent: one process per lab host, started inside that host's network namespace. It reads
// commands as JSON lines on stdin, makes real socket syscalls, and writes every call that
// returned as a JSON line on stdout. It dies with the runner (PR_SET_PDEATHSIG and stdin EOF).
// `tcpdrop agent` is this same process on a remote host (remote mode), reached over ssh,
// kubectl exec or any command; docs/protocol.md describes what it reads and writes.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { nowMs } from "../clock.js";
import { type Command, commandSchema, type Reply, type ServerAction } from "../protocol.js";
import { bootId, PROTOCOL_VERSION, VERSION } from "../version.js";
import { tcpInfo } from "./calls.js";
import { ClientConnection } from "./client.js";
import { batchOutput, emit, emitCall, flush } from "./emit.js";
import { holdSends, releaseSends } from "./hold.js";
import { cleanUpHost, firewallOp, hostInfo, signalAgent } from "./host-ops.js";
import { PR_SET_PDEATHSIG, RLIMIT_NOFILE, SIGHUP, SIGKILL, SIGPIPE, sys } from "./libc.js";
import { NodeClientConnection } from "./node-client.js";
import { Poller } from "./poller.js";
import { RstTracker } from "./rst-tracker.js";
import { Server } from "./server.js";

const CONNECT_WAVE = 500;
const CONNECT_WAVE_GAP_MS = 50;

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
const server = new Server(poller, args.includes("--quiet"), args.includes("--reuseport"));
if (args.includes("--quiet")) batchOutput();
raiseFileLimit();
const clients = new Map<string, ClientConnection | NodeClientConnection>();
/** In the router: the firewall eye that middlebox-reset uses (op "track", then "reset-flows"). */
let tracker: RstTracker | undefined;

type Handlers = {
  [Op in Command["op"]]: (cmd: Extract<Command, { op: Op }>) => Reply<Op> | Promise<Reply<Op>>;
};

const handlers: Handlers = {
  listen(cmd) {
    server.listen(cmd.ip, cmd.port);
    return {};
  },
  connect(cmd) {
    const { specs } = cmd;
    if (specs.some((spec) => spec.quiet)) {
      batchOutput();
      holdSends();
    }
    const connecting = Promise.all(
      specs.map(
        (spec, i) =>
          new Promise<boolean>((resolve) => {
            const conn =
              spec.engine === "node"
                ? new NodeClientConnection(spec, resolve)
                : new ClientConnection(spec, poller, resolve);
            clients.set(spec.conn, conn);
            // Thousands of connections are opened in waves: connections opened together keep
            // their keepalive timers together, and thousands of probes in one timer tick
            // overflow the kernel's receive backlog, which delays some by 500 ms ("local
            // congestion", TCP_RESOURCE_PROBE_INTERVAL).
            const wave = Math.floor(i / CONNECT_WAVE);
            if (wave === 0) conn.start();
            else setTimeout(() => conn.start(), wave * CONNECT_WAVE_GAP_MS);
          }),
      ),
    ).then((results) => {
      releaseSends();
      return { connected: results.filter(Boolean).length };
    });
    // Observed connects (to a dead host, say) may take long: answer at once if asked to.
    return cmd.wait === false ? { connected: null } : connecting;
  },
  /** --observer server: watch accepted sockets (found by their peer's address) as connections. */
  adopt(cmd) {
    for (const spec of cmd.specs) {
      const fd = server.release(spec.peer);
      if (fd === null) throw new Error(`no accepted connection from ${spec.peer}`);
      const conn = new ClientConnection({ ...spec, side: "server" }, poller, () => {}, fd);
      clients.set(spec.conn, conn);
      conn.start();
    }
    return {};
  },
  snapshot() {
    const t = nowMs();
    const info: Reply<"snapshot">["info"] = {};
    // Each reading carries its own time: thousands of them take a while.
    for (const [id, conn] of clients) {
      const reading = tcpInfo(conn.fd);
      info[id] = reading && { ...reading, t: nowMs() };
    }
    return { t, info };
  },
  /** Act on the server's sockets; the reply carries the time it started (the fault's t=0). */
  act(cmd) {
    const t = nowMs();
    serverActions[cmd.action](cmd.backlog);
    return { t };
  },
  /** In the router: follow every forwarded segment (middlebox-reset's firewall eye). */
  track(cmd) {
    tracker ??= new RstTracker(poller, cmd.clientPrefix);
    return {};
  },
  /** Reset every tracked flow at both ends; the reply carries the time (the fault's t=0). */
  "reset-flows"() {
    const t = nowMs();
    return { t, flows: tracker?.resetAll() ?? 0 };
  },
  exit() {
    void exit(0);
    return {};
  },
  "host-info": () => hostInfo(),
  signal: (cmd) => signalAgent(cmd),
  firewall: (cmd) => firewallOp(cmd),
};

const serverActions: Record<ServerAction, (backlog?: number) => void> = {
  "close-all": () => server.closeAll(),
  "abort-all": () => server.abortAll(),
  "shutdown-all": () => server.shutdownAll(),
  "pause-reads": () => server.pauseReads(),
  "pause-accept": (backlog) => server.pauseAccept(backlog ?? 0),
  unlisten: () => server.unlisten(),
};

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

async function dispatch(line: string): Promise<void> {
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
  const cmd = checked.data;
  try {
    const handler = handlers[cmd.op] as (c: Command) => unknown;
    emit({ type: "reply", id: cmd.id, ok: true, ...((await handler(cmd)) as object) });
  } catch (err) {
    emit({ type: "reply", id: cmd.id, ok: false, error: (err as Error).message });
  }
}

for (const signal of ["SIGHUP", "SIGINT"] as const) process.on(signal, () => void exit(0));

process.on("SIGTERM", () => {
  if (ignoreSigterm) {
    emitCall({ side: "server", conn: "process", call: "signal", result: "SIGTERM ignored" });
    return;
  }
  emitCall({ side: "server", conn: "process", call: "signal", result: "SIGTERM" });
  server.closeAll();
  void exit(0);
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
  if (line.trim()) void dispatch(line);
});
input.on("close", () => void exit(0));
emit({
  type: "ready",
  host,
  pid: process.pid,
  t: nowMs(),
  version: VERSION,
  protocol: PROTOCOL_VERSION,
  bootId: bootId(),
});
