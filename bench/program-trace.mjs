// A user's program traced in a real lab: the first building block of --client-cmd (issue 11),
// runnable before the runner knows about programs. Builds tcpdrop's lab (the built-in server
// listens on 203.0.113.2:7000), runs CMD in the client host under strace, waits for its first
// connection to the server, lets AFTER ms pass, applies the fault (crash: host-crash; kill:
// peer-kill; none), watches for WINDOW ms or until the program exits, then prints one JSON
// line: each connection's first failure (ms after the fault), its socket options, blocked
// calls, the exit, and the tails of stdout/stderr.
//
// usage (root, after npm run build):
//   node bench/program-trace.mjs 'CMD' [crash|kill|none] [AFTER_MS] [WINDOW_MS] [--sysctl k=v]
import { fromDist } from "./lib.mjs";

const [command, fault = "crash", after = "1000", windowMs = "10000", ...rest] =
  process.argv.slice(2);
const sysctls = Object.fromEntries(rest.filter((a) => a.includes("=")).map((a) => a.split("=", 2)));
const { Lab } = await fromDist("lab/lab.js");
const { TracedProgram } = await fromDist("program/run-program.js");
const { groupConnections } = await fromDist("program/connections.js");
const { nowMs } = await fromDist("agent/emit.js");

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lab = await Lab.build({ clientSysctls: sysctls, serverFlags: [], onMessage: () => {} });
let program;
try {
  program = TracedProgram.start({
    command,
    netns: lab.hosts.client.netns,
    server: lab.serverIp,
    port: lab.serverPort,
  });
  const wait = await program.waitEstablished(10_000);
  if (wait.kind !== "established") throw new Error(`program did not connect: ${wait.kind}`);
  await sleep(Number(after));
  const faultMs = nowMs();
  if (fault === "crash") {
    lab.serverMayDie = true;
    await lab.crashServer();
  } else if (fault === "kill") {
    lab.serverMayDie = true;
    await lab.signalServer("SIGKILL");
  }
  await Promise.race([program.exited, sleep(Number(windowMs))]);
  const outcome = await program.stop();
  const rel = (ms) =>
    ms === null || ms === undefined ? null : Math.round((ms - faultMs) * 10) / 10;
  const connections = groupConnections(outcome.records).map((c) => ({
    id: c.id,
    options: c.options.map((o) => `${o.name}=${o.value}`),
    firstFailure: c.firstFailure && { ...c.firstFailure, atMs: rel(c.firstFailure.atMs) },
    blocked: c.blocked.map((b) => ({
      call: b.call,
      sinceMs: rel(b.startMs),
      endedMs: rel(b.endedMs),
    })),
    calls: c.calls.length,
  }));
  console.log(
    JSON.stringify({
      command: outcome.command,
      fault,
      establishedMs: rel(wait.established.atMs),
      connections,
      exit: outcome.exit && { ...outcome.exit, atMs: rel(outcome.exit.atMs) },
      stdoutTail: outcome.stdoutTail,
      stderrTail: outcome.stderrTail,
      straceError: outcome.straceError,
      records: outcome.records.length,
    }),
  );
} finally {
  await program?.stop();
  await lab.destroy();
}
