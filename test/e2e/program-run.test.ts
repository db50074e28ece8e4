// End to end, as root: `tcpdrop run --client-cmd/--server-cmd` the way README's "Your own
// program" section runs them (the same commands), and the bad inputs. Outcomes come from the
// real kernel through strace: which call, which errno, in which window; the program's exit.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hostState, isRoot, runJson, tcpdrop } from "./helpers.js";

const has = (tool: string) =>
  (process.env.PATH ?? "").split(":").some((dir) => existsSync(`${dir}/${tool}`));
const hasTools = has("strace") && has("curl") && has("python3");
if (isRoot && !hasTools)
  console.warn(
    "program-run: skipped, install strace, curl and python3 (apt-get install strace curl python3)",
  );

// README, "Your own program": the three examples.
export const CURL = "curl -sS --keepalive-time 1 -o /dev/null http://{server}:{port}/";
export const PY_CLIENT = `python3 -c 'import os, socket
s = socket.create_connection((os.environ["TCPDROP_SERVER"], int(os.environ["TCPDROP_PORT"])))
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 2)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
print(s.recv(100))'`;
function within(ms: number | undefined, from: number, to: number): void {
  expect(ms).toBeGreaterThanOrEqual(from);
  expect(ms).toBeLessThanOrEqual(to);
}

export const HTTP_SERVER = "python3 -m http.server --bind {server} {port}";
/** A server whose SIGTERM handler takes 0.3 s (a graceful shutdown) before it exits. */
const DRAINING_SERVER = `python3 -c 'import os, signal, time
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
signal.signal(signal.SIGTERM, lambda *a: (time.sleep(0.3), os._exit(0)))
ThreadingHTTPServer(("{server}", {port}), BaseHTTPRequestHandler).serve_forever()'`;
/** A server that daemonizes: it listens, then double-forks, and its first process exits 0. */
const DAEMON_SERVER = `python3 -c 'import os
from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
server = ThreadingHTTPServer(("{server}", {port}), BaseHTTPRequestHandler)
os.fork() and os._exit(0)
os.setsid()
os.fork() and os._exit(0)
server.serve_forever()'`;

/** `scenario` against a server program, 2 s: the run, and when its idle connection read EOF. */
async function idleReadsEof(scenario: string, server: string) {
  const { report } = await runJson([scenario, "--server-cmd", server, "--window", "2"]);
  const run = report.runs[0];
  const failure = run.connections.find((c) => c.id === "idle")?.firstFailure;
  expect(failure).toMatchObject({ call: "recv", result: "EOF" });
  return { run, eofMs: failure?.afterMs };
}

describe.skipIf(!isRoot || !hasTools)("tcpdrop run with the user's programs", () => {
  it("curl --keepalive-time 1 under host-crash: recvfrom ETIMEDOUT as predicted, exit 56", async () => {
    const { code, report } = await runJson([
      "host-crash",
      "--client-cmd",
      CURL,
      "--window",
      "12",
      "--expect",
      "program: recv ETIMEDOUT within 8s..11s",
      "--expect",
      "program: exit code 56",
      "--expect",
      "program: predicted",
    ]);
    const run = report.runs[0];
    expect(run.verdicts.map((v) => v.message).join("\n")).not.toMatch(/expected/);
    expect(code).toBe(0);
    const [conn] = run.connections;
    expect(conn.id).toMatch(/^198\.51\.100\.2:\d+->203\.0\.113\.2:7000$/);
    expect(conn.workload).toBe("program");
    expect(conn.firstFailure).toMatchObject({ call: "recvfrom", result: "ETIMEDOUT" });
    expect(conn.options).toMatch(/TCP_KEEPIDLE=1 TCP_KEEPINTVL=1 TCP_KEEPCNT=9 \(sysctl\)/);
    expect(run.program?.exit).toMatchObject({ code: 56, signal: null });
    expect(run.program?.stderrTail.join("\n")).toMatch(/timed out/i);
  });

  it("a python3 client with keepalive 2,1,3 under host-crash matches the built-in agents", async () => {
    const { report } = await runJson([
      "host-crash",
      "--client-cmd",
      PY_CLIENT,
      "--fault-after",
      "0.25",
      "--expect",
      "program: recv ETIMEDOUT within 4s..5.5s",
      "--expect",
      "program: predicted",
      "--expect",
      "program: exits within 6s",
    ]);
    const builtIn = await runJson([
      "host-crash",
      "--keepalive",
      "2,1,3",
      "--expect",
      "idle: predicted",
    ]);
    const run = report.runs[0];
    expect(run.passed).toBe(true);
    const mine = run.connections[0].firstFailure;
    const theirs = builtIn.report.runs[0].connections.find((c) => c.id === "idle")?.firstFailure;
    expect(mine?.result).toBe(theirs?.result);
    // The same kernel timers from the last segment received, both ~0.25 s after connecting.
    expect(Math.abs((mine?.afterMs ?? 0) - (theirs?.afterMs ?? 0))).toBeLessThan(300);
  });

  it("a program that hangs: the blocked recv is reported, and the hint says what would notice", async () => {
    const before = hostState();
    const { report } = await runJson([
      "host-crash",
      "--client-cmd",
      `python3 -c 'import os, socket; s = socket.create_connection((os.environ["TCPDROP_SERVER"], 7000)); s.recv(1)'`,
      "--window",
      "3",
      "--expect",
      "program: none within 3s",
    ]);
    const run = report.runs[0];
    expect(run.passed).toBe(true);
    const [conn] = run.connections;
    expect(conn.blocked?.[0].text).toMatch(
      /^blocked in recvfrom since −1\.\d s: never returned within 3 s$/,
    );
    expect(conn.hint).toMatch(
      /your program set no keepalive.*TCP_KEEPIDLE=1.*it would have noticed at ~2\.\d s/,
    );
    expect(run.program?.exit).toBeNull();
    expect(hostState()).toEqual(before);
  });

  it("python3 -m http.server under peer-kill and shutdown: the built-in client reads EOF", async () => {
    for (const scenario of ["peer-kill", "shutdown"]) {
      const { report } = await runJson([
        scenario,
        "--server-cmd",
        HTTP_SERVER,
        "--window",
        "3",
        "--expect",
        "idle: recv EOF within 500ms",
        "--expect",
        "server-program: exits within 1s",
      ]);
      const run = report.runs[0];
      // http.server answers the writer's first bytes with 400 and closes it before the fault,
      // so only the idle connection is about the fault (the writer's verdicts vary with that).
      const mine = run.verdicts.filter((v) => !v.expectation.startsWith("writer"));
      expect(mine.filter((v) => !v.pass)).toEqual([]);
      expect(mine.length).toBeGreaterThanOrEqual(3);
      expect(run.serverProgram?.command).toBe("python3 -m http.server --bind 203.0.113.2 7000");
      expect(run.serverProgram?.exit?.signal).toBe(
        scenario === "peer-kill" ? "SIGKILL" : "SIGTERM",
      );
    }
  });

  it("shutdown of a server that drains 0.3 s after SIGTERM: its FIN comes then, before the host goes away", async () => {
    // /bin/sh (which forked python) dies of the SIGTERM at once; the program has not exited
    // until python has, and the host must not go away with the FIN still unsent.
    const { run, eofMs } = await idleReadsEof("shutdown", DRAINING_SERVER);
    within(eofMs, 300, 1000);
    expect(run.serverProgram?.exit).toMatchObject({ code: 0, signal: null });
    within(run.serverProgram?.exit?.afterMs, 300, 1000);
    const gone = run.steps?.find((s) => s.what === "server host is gone");
    expect(gone?.tMs).toBeGreaterThan(eofMs ?? Infinity);
  });

  it("a server that daemonizes is still running: peer-kill reaches the daemon, EOF, nothing left", async () => {
    const before = hostState();
    // Known: in ~1 start of 5 here the whole traced program ends right after its first process
    // exits (strace, the init of its PID namespace, ends: the daemon is gone before tcpdrop
    // looks), and the run stops at "exited (code 0) without listening". It comes with strace's
    // --seccomp-bpf (5 of 20 starts lost; 0 of 20 without it), which implies --kill-on-exit:
    // strace seems to end with the last process it knows of, before it has taken the forked
    // child in hand. That start, and only that one, is tried again (3 in all); the outcome is
    // checked on the run that started.
    const started = async (left: number): Promise<Awaited<ReturnType<typeof idleReadsEof>>> =>
      idleReadsEof("peer-kill", DAEMON_SERVER).catch((err: Error) => {
        if (left > 1 && /exited \(code 0\) without listening/.test(err.message))
          return started(left - 1);
        throw err;
      });
    const { run, eofMs } = await started(3);
    within(eofMs, 0, 100);
    expect(run.serverProgram?.exit).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(hostState()).toEqual(before);
  });

  it("README's other halves: curl and python3 under peer-kill read EOF; http.server under host-crash needs a timer", async () => {
    for (const command of [CURL, PY_CLIENT]) {
      const { report } = await runJson([
        "peer-kill",
        "--client-cmd",
        command,
        "--window",
        "3",
        "--expect",
        "program: recv EOF within 200ms",
        "--expect",
        "program: exits within 1s",
      ]);
      expect(report.runs[0].verdicts.filter((v) => !v.pass)).toEqual([]);
    }
    const { report } = await runJson([
      "host-crash",
      "--server-cmd",
      HTTP_SERVER,
      "--keepalive",
      "1,1,2",
      "--window",
      "4",
      "--expect",
      "idle: recv ETIMEDOUT within 2s..3.5s",
    ]);
    expect(report.runs[0].verdicts.find((v) => v.expectation.startsWith("idle: recv"))?.pass).toBe(
      true,
    );
  });

  it("the router's packets beside curl's calls: under peer-kill the server's FIN comes at t=0, then curl's recvfrom EOF", async () => {
    const { code, report } = await runJson(["peer-kill", "--client-cmd", CURL, "--window", "2"]);
    expect(code).toBe(0);
    const run = report.runs[0];
    expect(run.capture?.status).toBe("captured");
    const [conn] = run.connections;
    const mine = (run.packets ?? []).filter((p) => p.conn === conn.id);
    expect(mine.map((p) => p.kind).slice(0, 3)).toEqual(["syn", "syn-ack", "ack"]);
    const fin = mine.find((p) => p.kind === "fin" && p.from === "server");
    within(fin?.tMs, 0, 50);
    const eof = conn.events.find((e) => e.call === "recvfrom" && e.result === "EOF");
    within((eof?.tMs ?? 0) - (fin?.tMs ?? 0), -20, 50);
  });

  it.skipIf(!has("nft") || !has("conntrack"))(
    "middlebox-reset under a python3 client: the router agent, set up before the program connects, resets its connection",
    async () => {
      const { code, report } = await runJson(["middlebox-reset", "--client-cmd", PY_CLIENT]);
      expect(code).toBe(0);
      const conn = report.runs[0].connections[0];
      expect(conn.firstFailure).toMatchObject({ call: "recvfrom", result: "ECONNRESET" });
      within(conn.firstFailure?.afterMs, 0, 50);
    },
  );

  it("bad inputs: one line and exit 2", async () => {
    const expectOneLine = async ([args, message]: [string[], RegExp]) => {
      const res = await tcpdrop(["run", ...args]);
      expect(res.code).toBe(2);
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).toMatch(message);
    };
    // The two 10 s bounds at once (each in its own lab), then the rest one by one.
    const machine = hostState();
    await Promise.all(
      (
        [
          [["host-crash", "--client-cmd", "sleep 30"], /did not connect to the server within 10 s/],
          [
            ["peer-kill", "--server-cmd", "sleep 30"],
            /did not listen on 203\.0\.113\.2:7000 within 10 s/,
          ],
        ] as [string[], RegExp][]
      ).map(expectOneLine),
    );
    expect(hostState()).toEqual(machine);
    const cases: [string[], RegExp][] = [
      [["host-crash", "--client-cmd", " "], /--client-cmd is empty/],
      [["host-crash", "--client-cmd", "true"], /exited \(code 0\) before connecting/],
      // No route out of the lab: a program dialling anything else is refused by its own kernel.
      [
        [
          "host-crash",
          "--client-cmd",
          `python3 -c 'import socket; socket.create_connection(("192.0.2.1", 80), timeout=2)'`,
        ],
        /exited \(code 1\) before connecting.*Network is unreachable/,
      ],
      [
        ["peer-close", "--server-cmd", HTTP_SERVER],
        /peer-close cannot strike a foreign server.*these can: /,
      ],
      [
        ["host-crash", "--client-cmd", CURL, "--expect", "idle: exits within 1s"],
        /only a program exits/,
      ],
    ];
    for (const one of cases) {
      const before = hostState();
      await expectOneLine(one);
      expect(hostState()).toEqual(before);
    }
  });
});
