// End to end, as root: a user's program traced call by call in tcpdrop's lab (issue 11's
// building blocks, before the runner knows --client-cmd). Real programs (curl, python3) against
// the built-in server, real faults, and the outcome read from strace's trace: which call failed,
// with which errno, how long after the fault; a read still blocked; the exit; nothing left.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isRoot, ROOT } from "./helpers.js";

const dist = (path: string) => import(`${ROOT}dist/${path}`);
const { Lab } = await dist("lab/lab.js");
const { TracedProgram } = await dist("program/run-program.js");
const { groupConnections } = await dist("program/connections.js");
const { abortConnections } = await dist("program/read-sockets.js");
const { nowMs } = await dist("clock.js");
const { onPath } = await dist("lab/privileges.js");

/** The host-crash fault's steps: blackhole, cut the link, end the host (no FIN, no RST). */
async function crashServer(lab: InstanceType<typeof Lab>): Promise<void> {
  await lab.blackhole(["server"]);
  await lab.cutLink("server");
  await lab.killHost("server");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hasTools = onPath("strace") && onPath("curl") && onPath("python3") && onPath("setpriv");
if (isRoot && !hasTools)
  console.warn(
    "program-trace: skipped, install strace, curl, python3 and util-linux (apt-get install strace curl python3)",
  );

/** A python3 client: connect, optional keepalive IDLE,INTVL,CNT, then one blocking recv. */
const PY_CLIENT = [
  "import os, socket, sys",
  's = socket.create_connection((os.environ["TCPDROP_SERVER"], int(os.environ["TCPDROP_PORT"])))',
  "if len(sys.argv) > 1:",
  '    idle, intvl, cnt = map(int, sys.argv[1].split(","))',
  "    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)",
  "    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, idle)",
  "    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, intvl)",
  "    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, cnt)",
  "s.recv(100)",
].join("\n");
const python = (args = "") => `python3 -c '${PY_CLIENT}' ${args}`;

/** Processes whose environment carries `mark` (the program and anything it started). */
function marked(mark: string): number[] {
  const pids: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/environ`, "latin1").includes(mark)) pids.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

interface Traced {
  connections: ReturnType<typeof groupConnections>;
  outcome: Awaited<ReturnType<InstanceType<typeof TracedProgram>["stop"]>>;
  faultMs: number;
  mark: string;
}

/** Run `command` in the client host; `fault` acts `afterMs` after its first connection. */
async function traced(
  command: string,
  fault: (lab: InstanceType<typeof Lab>) => Promise<unknown>,
  opts: {
    afterMs?: number;
    windowMs?: number;
    sysctls?: Record<string, string>;
    /** The fault signals the server's process: it must be a real one (Fault.serverProcess). */
    signalsServer?: boolean;
  } = {},
): Promise<Traced> {
  const mark = `TCPDROP_TEST_MARK=${process.pid}-${Math.random().toString(36).slice(2)}`;
  const lab = await Lab.build({
    clientSysctls: opts.sysctls ?? {},
    serverFlags: [],
    onMessage: () => {},
    needsProcess: { server: opts.signalsServer ?? false },
  });
  try {
    const program = TracedProgram.start({
      command: `export ${mark}; ${command}`,
      netns: lab.hosts.client.netns,
      server: lab.serverIp,
      port: lab.serverPort,
    });
    const wait = await program.waitEstablished(10_000);
    expect(wait.kind).toBe("established");
    await sleep(opts.afterMs ?? 500);
    const faultMs = nowMs();
    lab.mayDie.add("server");
    await fault(lab);
    await Promise.race([program.exited, sleep(opts.windowMs ?? 5000)]);
    const outcome = await program.stop();
    const rel = groupConnections(outcome.records);
    return { connections: rel, outcome, faultMs, mark };
  } finally {
    await lab.destroy();
  }
}

describe.skipIf(!isRoot || !hasTools)("a traced program in the lab", () => {
  it("python3 with keepalive 1,1,2 under host-crash: recvfrom ETIMEDOUT ~2.55 s after the fault", async () => {
    const { connections, outcome, faultMs } = await traced(python("1,1,2"), (lab) =>
      crashServer(lab),
    );
    expect(connections).toHaveLength(1);
    const [conn] = connections;
    expect(conn.id).toMatch(/^198\.51\.100\.2:\d+->203\.0\.113\.2:7000$/);
    expect(
      conn.options.map((o: { name: string; value: number }) => `${o.name}=${o.value}`),
    ).toEqual(["SO_KEEPALIVE=1", "TCP_KEEPIDLE=1", "TCP_KEEPINTVL=1", "TCP_KEEPCNT=2"]);
    expect(conn.firstFailure).toMatchObject({
      call: "recvfrom",
      family: "recv",
      result: "ETIMEDOUT",
    });
    // Keepalive counts from the last segment received, the connect ~0.5 s before the fault:
    // three ~1.016 s timers (HZ=250) later, minus those 0.5 s.
    const after = conn.firstFailure.atMs - faultMs;
    expect(after).toBeGreaterThan(2300);
    expect(after).toBeLessThan(2900);
    expect(outcome.exit).toMatchObject({ code: 1, signal: null });
    expect(outcome.stderrTail.join("\n")).toMatch(/TimeoutError|timed out/);
  });

  it("curl --keepalive-time 1 under host-crash (tcp_keepalive_probes 2): recvfrom ETIMEDOUT, exit 56", async () => {
    const { connections, outcome, faultMs } = await traced(
      "curl -sS --keepalive-time 1 -o /dev/null http://{server}:{port}/",
      (lab) => crashServer(lab),
      { sysctls: { "net.ipv4.tcp_keepalive_probes": "2" } },
    );
    const [conn] = connections;
    expect(conn.calls.find((c: { call: string }) => c.call === "connect")?.result).toBe(
      "EINPROGRESS",
    );
    expect(conn.firstFailure).toMatchObject({ call: "recvfrom", result: "ETIMEDOUT" });
    const after = conn.firstFailure.atMs - faultMs;
    expect(after).toBeGreaterThan(2300);
    expect(after).toBeLessThan(2900);
    expect(outcome.exit?.code).toBe(56);
    expect(outcome.stderrTail.join("\n")).toMatch(/Connection timed out/);
  });

  it("a program that hangs: recvfrom still blocked at the end, and nothing of it left", async () => {
    const { connections, outcome, faultMs, mark } = await traced(
      python(),
      (lab) => crashServer(lab),
      {
        windowMs: 1500,
      },
    );
    const [conn] = connections;
    expect(conn.firstFailure).toBeNull();
    expect(conn.blocked).toHaveLength(1);
    expect(conn.blocked[0]).toMatchObject({ call: "recvfrom", endedMs: null });
    expect(conn.blocked[0].startMs).toBeLessThan(faultMs);
    expect(outcome.exit).toBeNull();
    await sleep(200);
    expect(marked(mark)).toEqual([]);
  });

  it("peer-abort from outside (SOCK_DESTROY via ss -K): the client's recvfrom fails ECONNRESET at once", async () => {
    const { connections, faultMs } = await traced(python(), async (lab) => {
      const gone = await abortConnections(lab.hosts.server.netns, lab.serverPort);
      expect(gone).toHaveLength(1);
    });
    const [conn] = connections;
    expect(conn.firstFailure).toMatchObject({ call: "recvfrom", result: "ECONNRESET" });
    expect(conn.firstFailure.atMs - faultMs).toBeLessThan(200);
  });

  it("peer-kill: curl reads EOF within a few ms and exits 52", async () => {
    const { connections, outcome, faultMs } = await traced(
      "curl -sS -o /dev/null http://{server}:{port}/",
      (lab) => lab.signal("server", "SIGKILL"),
      { signalsServer: true },
    );
    expect(connections[0].firstFailure).toMatchObject({ call: "recvfrom", result: "EOF" });
    expect(connections[0].firstFailure.atMs - faultMs).toBeLessThan(100);
    expect(outcome.exit?.code).toBe(52);
  });
});

describe.skipIf(!isRoot || !hasTools)("a traced program's bad cases", () => {
  const inLab = async (
    command: string,
    act: (p: InstanceType<typeof TracedProgram>) => Promise<void>,
  ) => {
    const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });
    try {
      const program = TracedProgram.start({
        command,
        netns: lab.hosts.client.netns,
        server: lab.serverIp,
        port: lab.serverPort,
      });
      await act(program);
      await program.stop();
    } finally {
      await lab.destroy();
    }
  };

  it("an empty command is a usage error", () => {
    expect(() =>
      TracedProgram.start({ command: "  ", netns: "/proc/self/ns/net", server: "x", port: 1 }),
    ).toThrow(/command is empty/);
  });

  it("a program that exits before connecting says so, with its exit code", async () => {
    await inLab("echo bye; exit 7", async (program) => {
      const wait = await program.waitEstablished(5000);
      expect(wait).toMatchObject({ kind: "exited", exit: { code: 7, signal: null } });
    });
  });

  it("a program that ignores SIGTERM and starts a background child leaves nothing behind", async () => {
    const mark = `TCPDROP_TEST_MARK=${process.pid}-bg`;
    await inLab(`export ${mark}; trap "" TERM; sleep 100 & sleep 100`, async (program) => {
      const wait = await program.waitEstablished(500);
      expect(wait.kind).toBe("timeout");
      expect(marked(mark).length).toBeGreaterThanOrEqual(2);
    });
    await sleep(200);
    expect(marked(mark)).toEqual([]);
  });
});
