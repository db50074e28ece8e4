// A run with the user's own programs (--client-cmd, --server-cmd): the same lab and the same
// fault, but the calls watched are those strace saw the user's client make. The client program
// starts after the lab is up (and its server, if it is the user's, listens); the fault comes
// --fault-after its first connection to the server is established (or first, for the
// scenarios about connect() itself); the run watches until the program exits or the window
// closes, kills what is left of the programs by PID, and reports every connection they made.
import { nowMs, sleep } from "../clock.js";
import { SetupError, UsageError } from "../errors.js";
import type { Expectation } from "../expect/index.js";
import { type Fault, faultNamed, injectLabFault } from "../faults/index.js";
import { Lab } from "../lab/lab.js";
import { onPath } from "../lab/privileges.js";
import { readSockets, type SocketReading } from "../program/read-sockets.js";
import { type ProgramOutcome, TracedProgram } from "../program/run-program.js";
import { builtInNames, loadScenario, type Scenario } from "../scenario/load.js";
import type { RunReport, Settings } from "../types.js";
import { KEEP_NOTHING, type WireKeep } from "../wire/packet-log.js";
import { planExpectations } from "./expectation-plan.js";
import { needsProcess } from "./lab-agents.js";
import { buildProgramReport } from "./program-report.js";
import { ServerPrograms } from "./program-server.js";
import { routerSetupOf } from "./stage.js";
import { attachPackets, routerOf, startCapture, startCounting, stopCapture } from "./wire.js";

/** How long a client program may take to open its first connection to the server. */
export const CONNECT_BOUND_MS = 10_000;

interface RunHooks {
  onProgress?: (elapsedMs: number, eventCount: number) => void;
  onStep?: (step: string) => void;
}

export async function runWithPrograms(
  scenario: Scenario,
  settings: Settings,
  extra: Expectation[],
  hooks: RunHooks = {},
  keep: WireKeep = KEEP_NOTHING,
): Promise<RunReport> {
  const programs = settings.programs;
  if (!programs?.client) throw new Error("runWithPrograms needs --client-cmd");
  const started = nowMs();
  const step = (name: string) => hooks.onStep?.(name);
  const steps: { t: number; what: string }[] = [];
  const fault = faultNamed(scenario.fault);
  const server = programs.server === null ? undefined : new ServerPrograms(programs.server);
  step(server ? "build the lab and start the server program" : "build the lab");
  const lab = await Lab.build({
    clientSysctls: clientSysctls(settings),
    serverFlags: settings.ignoreSigterm ? ["--ignore-sigterm"] : [],
    ipv6: settings.ipv6 ?? false,
    icmpRatelimitMs: settings.icmpRatelimitMs ?? null,
    onMessage: () => {},
    needsProcess: needsProcess(scenario, settings),
    ...(server ? { serverProcess: server.start } : {}),
    ...routerSetupOf(fault, settings),
  }).catch(async (err) => {
    await server?.stopAll();
    throw err;
  });
  let client: TracedProgram | undefined;
  // The router's packets, beside the program's calls (as for the built-in agents).
  let capturing: Awaited<ReturnType<typeof startCapture>> | undefined;
  try {
    step("start the packet capture");
    capturing = await startCapture(routerOf(lab), settings, keep);
    startCounting(capturing);
    const measured: Record<string, number> = {};
    const note = (t: number, what: string) => steps.push({ t, what });
    // A program's sends are not this runner's events: data is given the whole time to pile up.
    const unreadData = (capMs: number) => sleep(capMs);
    const ctx = { lab, settings, params: scenario, measured, note, unreadData };
    const inject = () => {
      step(`inject the fault (${scenario.fault})`);
      if (fault.serverMayDie) lab.mayDie.add("server");
      return injectLabFault(fault, ctx, server !== undefined);
    };
    if (fault.prepare) {
      step(`prepare the fault (${scenario.fault})`);
      await fault.prepare(ctx);
    }
    const startClient = () => {
      if (programs.client === null) return undefined;
      const program = TracedProgram.start({
        command: programs.client,
        netns: lab.hosts.client.netns,
        server: lab.serverIp,
        port: lab.serverPort,
      });
      return program;
    };
    let before: SocketReading | null = null;
    let after: SocketReading | null = null;
    let injected: Awaited<ReturnType<Fault["inject"]>>;
    const observer = programs.client !== null ? lab.hosts.client.netns : lab.hosts.server.netns;
    if (scenario.connectAfterFault) {
      injected = await inject();
      step("start the client program");
      client = startClient();
    } else {
      step("start the client program and wait for its connection");
      client = startClient();
      if (client) await waitConnected(client, programs.faultAfterMs);
      else await sleep(programs.faultAfterMs);
      before = await readSockets(observer).catch(() => null);
      injected = await inject();
      after = await readSockets(observer).catch(() => null);
    }
    const rest = injected.rest ?? Promise.resolve();
    rest.catch(() => {});
    step("watch the program");
    const windowEnd = injected.at + settings.windowS * 1000;
    const watched = client ?? server?.current();
    let exited = false;
    watched?.exited.then(() => {
      exited = true;
    });
    while (!exited && nowMs() < windowEnd) {
      hooks.onProgress?.(nowMs() - injected.at, watched?.records.length ?? 0);
      await sleep(Math.min(100, Math.max(1, windowEnd - nowMs())));
    }
    step(`finish the fault (${scenario.fault})`);
    await rest;
    // A server the fault ended: let strace write its end before the programs are stopped.
    if (fault.serverMayDie) await server?.settle(500);
    step("stop the packet capture");
    const wire = await stopCapture(capturing);
    step("stop the programs");
    const clientOutcome = client ? await client.stop() : undefined;
    const serverOutcomes = server ? await server.stopAll() : undefined;
    failIfStraceFailed(clientOutcome, serverOutcomes?.[0]);
    const run = buildProgramReport({
      scenario,
      settings,
      fault,
      measured,
      sysctls: lab.sysctls,
      routerSysctls: lab.routerSysctls,
      plan: planExpectations(scenario, settings, extra, ["program", "server-program"]),
      client: clientOutcome,
      server: serverOutcomes,
      readings: { before, after },
      steps,
      faultAt: injected.at,
      serverAddress: `${lab.serverIp}:${lab.serverPort}`,
      durationMs: Math.round(nowMs() - started),
    });
    attachPackets(run, wire, capturing, {
      raw: programConnects(run),
      faultAt: injected.at,
      lab,
    });
    return run;
  } finally {
    capturing?.capture?.kill();
    step("tear the lab down");
    await client?.stop().catch(() => undefined);
    await server?.stopAll().catch(() => undefined);
    await lab.destroy();
  }
}

/**
 * The program's connections as the capture names them: a client's connect from its local
 * address to the server's (the id is "local->remote"; an accepted one is the other way round).
 */
function programConnects(run: RunReport) {
  return run.connections.flatMap((c) => {
    const [local, remote] = c.id.split("->");
    if (!local || !remote) return [];
    const detail = c.side === "client" ? `${local} -> ${remote}` : `${remote} -> ${local}`;
    return [{ side: "client", conn: c.id, call: "connect", result: "OK", detail }];
  });
}

/** Wait for the client's first connection, then --fault-after; a program that never gets there is exit 2. */
async function waitConnected(program: TracedProgram, faultAfterMs: number): Promise<void> {
  const wait = await program.waitEstablished(CONNECT_BOUND_MS);
  if (wait.kind === "established") {
    await sleep(Math.max(0, wait.established.atMs + faultAfterMs - nowMs()));
    return;
  }
  const outcome = await program.stop();
  failIfStraceFailed(outcome);
  const said = lastLine(outcome);
  if (wait.kind === "exited") {
    const how = wait.exit.signal
      ? `was killed by ${wait.exit.signal}`
      : `exited (code ${wait.exit.code})`;
    throw new SetupError(
      `the client program ${how} before connecting to the server, so there was nothing to fault${said}; --client-cmd must connect to {server}:{port}`,
    );
  }
  throw new SetupError(
    `the client program did not connect to the server within ${CONNECT_BOUND_MS / 1000} s${said}; --client-cmd must connect to {server}:{port} (or $TCPDROP_SERVER:$TCPDROP_PORT)`,
  );
}

function lastLine(outcome: ProgramOutcome): string {
  const line = [...outcome.stderrTail, ...outcome.stdoutTail].filter((l) => l.trim()).pop();
  return line ? ` (its last words: "${line.trim().slice(0, 160)}")` : "";
}

/** strace could not run the program at all (ptrace refused...): a setup error, not a report. */
function failIfStraceFailed(...outcomes: (ProgramOutcome | undefined)[]): void {
  for (const outcome of outcomes) {
    if (outcome?.straceError && outcome.records.length === 0 && outcome.exit === null)
      throw new SetupError(`strace could not run the program: ${outcome.straceError}`);
  }
}

/** Kernel settings asked for on the command line, for the client's namespace only. */
function clientSysctls(settings: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  if (settings.retries2 !== null) out["net.ipv4.tcp_retries2"] = String(settings.retries2);
  if (settings.synRetries != null) out["net.ipv4.tcp_syn_retries"] = String(settings.synRetries);
  return out;
}

/** With --client-cmd the client's sockets are the program's: the scenario must watch the client. */
export function checkProgramScenario(scenario: Scenario, settings: Settings): void {
  const programs = settings.programs;
  if (!programs) return;
  if (!onPath("strace"))
    throw new SetupError(
      "--client-cmd/--server-cmd trace the program with strace, which is not installed: install the strace package (apt-get install strace)",
    );
  if (programs.client !== null && (settings.observer ?? scenario.observer) === "server")
    throw new UsageError(
      `--client-cmd: ${scenario.name} is watched from the server's sockets; run a scenario that strikes the server (host-crash, peer-kill, ...) or use --server-cmd`,
    );
  const own = faultNamed(scenario.fault).foreignServer;
  if (programs.server !== null && typeof own === "object" && "refuse" in own) {
    const works = builtInNames().filter((name) => {
      const f = faultNamed(loadScenario(name).fault).foreignServer;
      return !(typeof f === "object" && "refuse" in f);
    });
    throw new UsageError(
      `--server-cmd: ${scenario.name} cannot strike a foreign server (${own.refuse}); these can: ${works.join(", ")}`,
    );
  }
  if ((settings.connections ?? 1) > 1 || (settings.detect ?? []).length > 0)
    throw new UsageError(
      "--client-cmd/--server-cmd run the user's program as it is: drop --connections and --detect",
    );
}
