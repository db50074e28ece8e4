// One run of one scenario: build a lab, connect the watched client sockets, let them settle,
// inject the fault, watch until every connection has failed and finished its follow-up calls
// or the window closes, then tear the lab down and turn what the agents wrote into a report.
// Scenarios about connect() itself inject the fault first and watch the connects.

import { nowMs, sleep } from "../clock.js";
import { SetupError } from "../errors.js";
import type { Expectation } from "../expect/index.js";
import { faultNamed } from "../faults/index.js";
import type { Agent } from "../lab/agent-group.js";
import { Lab } from "../lab/lab.js";
import { phases, sends, watchedConnections } from "../plan/index.js";
import type { AgentMessage, ClientSpec } from "../protocol.js";
import type { Scenario } from "../scenario/load.js";
import type { RunReport, Settings } from "../types.js";
import { KEEP_NOTHING, type WireKeep } from "../wire/packet-log.js";
import { clientSpec } from "./client-spec.js";
import type { RawEvent } from "./collect.js";
import { planExpectations } from "./expectation-plan.js";
import type { Snapshot } from "./facts.js";
import { labAgents, needsProcess, scaleSysctls } from "./lab-agents.js";
import { buildRunReport } from "./report.js";
import { lastWord, settle, untilUnread } from "./settle.js";
import { buildStage, injectFault, prepareFault, serverExited, stageFacts } from "./stage.js";
import { PredictionWarmer } from "./warm-predictions.js";
import {
  attachPackets,
  type RunCapture,
  startCapture,
  startCounting,
  stopCapture,
} from "./wire.js";

export interface RunHooks {
  /** Called about every 100 ms while watching, with elapsed ms since the fault. */
  onProgress?: (elapsedMs: number, eventCount: number) => void;
  /** Called as each step starts ("build the lab"), so a hung run can say where it hung. */
  onStep?: (step: string) => void;
}

export async function runScenario(
  scenario: Scenario,
  settings: Settings,
  extra: Expectation[] = [],
  hooks: RunHooks = {},
  keep: WireKeep = KEEP_NOTHING,
): Promise<RunReport> {
  // The user's own programs (--client-cmd, --server-cmd) bring their own code: strace's
  // parser, the program reports. A run without them does not load it.
  if (settings.programs?.client) {
    const { runWithPrograms } = await import("./program-run.js");
    return runWithPrograms(scenario, settings, extra, hooks, keep);
  }
  // --server-cmd alone: the built-in client watches the user's server.
  const servers = settings.programs?.server
    ? new (await import("./program-server.js")).ServerPrograms(settings.programs.server)
    : undefined;
  let faultAt = 0;
  const started = nowMs();
  const raw: RawEvent[] = [];
  const done = new Set<string>();
  // Wakes the watch loop as soon as a connection finishes, so a run ends with its last call.
  let ring = () => {};
  const finish = (conn: string) => {
    done.add(conn);
    ring();
  };
  const steps: { t: number; what: string }[] = [];
  const onMessage = (_host: string, msg: AgentMessage) => {
    if (msg.type === "event") raw.push(msg);
    else if (msg.type === "done") finish(msg.conn);
  };
  const step = (name: string) => hooks.onStep?.(name);
  const fault = faultNamed(scenario.fault);
  // The capture starts in the router's namespace as the lab is wired; observe() stops it.
  let startingCapture: Promise<RunCapture> | undefined;
  let capturing: RunCapture | undefined;
  step(settings.remote ? "start the remote agents" : "build the lab");
  const lab = await buildStage(fault, settings, {
    clientSysctls: { ...clientSysctls(settings), ...scaleSysctls(settings) },
    serverFlags: [
      ...(settings.ignoreSigterm ? ["--ignore-sigterm"] : []),
      ...((settings.connections ?? 1) > 1 && settings.events !== "all" ? ["--quiet"] : []),
    ],
    ipv6: settings.ipv6 ?? false,
    icmpRatelimitMs: settings.icmpRatelimitMs ?? null,
    onMessage,
    agents: labAgents(scenario, settings),
    needsProcess: needsProcess(scenario, settings),
    nicQueue: (settings.connections ?? 1) > 1,
    ...(servers ? { serverProcess: servers.start } : {}),
    onRouter: (router) => {
      startingCapture = startCapture(router, settings, keep);
    },
  }).catch(async (err) => {
    await servers?.stopAll();
    (await startingCapture)?.capture?.kill();
    throw err;
  });
  let aborted = false;
  const observing = observe();
  observing.catch(() => {});
  try {
    const report = await Promise.race([observing, lab.crashed]);
    if (!servers) return report;
    if (faultNamed(scenario.fault).serverMayDie) await servers.settle(500);
    const { withServerProgram } = await import("./program-report.js");
    return withServerProgram(report, (await servers.stopAll())[0], faultAt, extra);
  } finally {
    aborted = true;
    (capturing ?? (await startingCapture))?.capture?.kill();
    step("tear the lab down");
    await servers?.stopAll().catch(() => undefined);
    await lab.destroy();
  }

  async function takeSnapshot(agents: Agent[]): Promise<Snapshot> {
    const taken = await Promise.all(agents.map((a) => a.request({ op: "snapshot", brief: true })));
    return { t: taken[0].t, info: Object.assign({}, ...taken.map((s) => s.info)) };
  }

  /** The server takes over its side of each connection, found by the client's address. */
  async function adopt(observed: ClientSpec[]): Promise<void> {
    const local = new Map(
      raw
        .filter((e) => e.side === "client" && e.call === "connect")
        .map((e) => [e.conn, e.detail?.split(" ")[0]]),
    );
    const specs = observed.map((s) => ({ ...s, peer: local.get(s.conn) ?? "" }));
    await lab.server.request({ op: "adopt", specs });
  }

  /**
   * Which client process makes which connections: one, unless --sigpipe default puts the
   * sending connections in a process of their own that a broken pipe may kill.
   */
  async function clientProcesses(specs: ClientSpec[]): Promise<[Agent, ClientSpec[]][]> {
    const doomed = settings.sigpipe ? specs.filter((s) => sends(s.workload)) : [];
    const rest = specs.filter((s) => !doomed.includes(s));
    if (doomed.length === 0) return [[lab.client, rest]];
    const writer = await lab.addClientProcess(
      "client-writer",
      ["--sigpipe-default"],
      "SIGPIPE",
      () => {
        const t = nowMs();
        for (const s of doomed) {
          const detail =
            "the process was killed by SIGPIPE (send without MSG_NOSIGNAL on a broken connection)";
          raw.push({ t, side: "client", conn: s.conn, call: "process", result: "SIGPIPE", detail });
          finish(s.conn);
        }
      },
    );
    return [
      [lab.client, rest],
      [writer, doomed],
    ];
  }

  async function observe(): Promise<RunReport> {
    step("start the packet capture");
    capturing = await (startingCapture ?? startCapture(null, settings, keep));
    startCounting(capturing);
    const watched = watchedConnections(scenario, settings);
    const hold = fault.holdsFollowUps ? { holdFollowUps: true } : {};
    let observedSpecs = watched.map((w) => ({
      ...clientSpec(w, lab.serverIp, lab.serverPort),
      ...hold,
    }));
    // --observer server: the client only opens plain connections; the server watches them.
    const byServer = settings.observer === "server";
    let specs = byServer ? observedSpecs.map(peerSpec) : observedSpecs;
    let processes = await clientProcesses(specs);
    const connectionCount = specs.length;
    // Sent, the specs (20,000 objects at scale) need not outlive the connects.
    const releaseSpecs = () => {
      [observedSpecs, specs, processes] = [[], [], processes.map(([agent]) => [agent, []])];
    };
    const measured: Record<string, number> = {};
    const note = (t: number, what: string) => steps.push({ t, what });
    // Between real hosts the data's way is not the lab's ~50 µs: it gets the whole time there.
    const unreadData = (capMs: number) =>
      settings.remote ? sleep(capMs) : untilUnread(raw, capMs, fault.readsHeads);
    const ctx = { settings, params: scenario, measured, note, unreadData };
    const inject = async () => {
      step(`inject the fault (${scenario.fault})`);
      if (fault.serverMayDie) lab.mayDie.add("server");
      return injectFault(lab, fault, ctx, servers !== undefined);
    };
    if (fault.prepare) {
      step(`prepare the fault (${scenario.fault})`);
      await prepareFault(lab, fault, ctx);
    }
    let snapshot: Snapshot = { t: nowMs(), info: {} };
    let injected: Awaited<ReturnType<typeof inject>>;
    if (scenario.connectAfterFault) {
      injected = await inject();
      step("connect the client to the server");
      await Promise.all(
        processes.map(([agent, own]) => agent.request({ op: "connect", specs: own, wait: false })),
      );
      releaseSpecs();
    } else {
      step("connect the client to the server");
      const replies = await Promise.all(
        processes.map(([agent, own]) => agent.request({ op: "connect", specs: own })),
      ).catch((err: Error) => {
        // Remote mode: a connect that hangs is most often an address the client cannot reach.
        const check = settings.remote ? "; check --server-addr and --port" : "";
        throw new SetupError(`${err.message}${check}`);
      });
      const connected = replies.reduce((n, r) => n + (r.connected ?? 0), 0);
      if (connected !== specs.length) {
        const to = `${lab.serverIp}:${lab.serverPort}`;
        const check = settings.remote ? "; check --server-addr and --port" : "";
        throw new SetupError(
          `the client could not connect to the server (${to}) before the fault${check}`,
        );
      }
      if (byServer) await adopt(observedSpecs);
      // each call is reported unless at scale; a user's server reports none
      const eachCall = !servers && !specs.some((s) => s.quiet);
      releaseSpecs();
      await settle(raw, phases(settings).preFaultMs, eachCall, fault.readsHeads);
      const observers = byServer ? [lab.server] : processes.map(([agent]) => agent);
      snapshot = await takeSnapshot(observers);
      injected = await inject();
      // TCP_INFO again just after the fault: with thousands of connections a keepalive probe
      // may have been answered between the first reading and the fault.
      snapshot.after = (await takeSnapshot(observers).catch(() => null))?.info;
    }
    faultAt = injected.at;
    // what the report is made of, but for what the watch still adds (events, steps)
    const labFacts = { sysctls: lab.sysctls, ...stageFacts(lab) };
    const known = { scenario, settings, watched, fault, measured, raw, snapshot, ...labFacts };
    const warmer = new PredictionWarmer({ ...known, faultAt });
    const rest = injected.rest ?? Promise.resolve();
    rest.catch(() => {});
    if (fault.holdsFollowUps) {
      // the client now sees the fault's end state (or the fault failed): the held calls go on
      const holders = byServer ? [lab.server] : processes.map(([agent]) => agent);
      const release = () => holders.map((a) => a.request({ op: "release" }).catch(() => {}));
      Promise.race([rest, injected.released ?? rest]).then(release, release);
    }
    step("watch the connections");
    const windowEnd = injected.at + settings.windowS * 1000;
    while (!aborted && done.size < connectionCount && nowMs() < windowEnd) {
      hooks.onProgress?.(nowMs() - injected.at, raw.length);
      warmer.tick();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(100, Math.max(1, windowEnd - nowMs())));
        ring = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    // the server's answer to each close, unless its process is gone (killed: no answer comes)
    if (done.size >= connectionCount) await Promise.race([lastWord(raw), serverExited(lab)]);
    step(`finish the fault (${scenario.fault})`);
    await rest;
    step("stop the packet capture");
    if (aborted) warmer.stop();
    const [wire] = await Promise.all([stopCapture(capturing), warmer.done()]);
    const groups = watched.map((w) => w.group);
    const run = buildRunReport({
      ...known,
      faultAt,
      plan: planExpectations(scenario, settings, extra, groups),
      steps,
      durationMs: Math.round(nowMs() - started),
    });
    attachPackets(run, wire, capturing, {
      raw,
      faultAt: injected.at,
      lab: lab instanceof Lab ? lab : null,
    });
    return run;
  }
}

/** A plain client connection: the peer of a connection the server watches. */
function peerSpec(spec: ClientSpec): ClientSpec {
  const answerPings = spec.workload === "heartbeat";
  return { ...spec, workload: "idle", options: {}, trace: false, sigpipe: false, answerPings };
}

/** Kernel settings asked for on the command line, for the client's namespace only. */
function clientSysctls(settings: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  if (settings.retries2 !== null) out["net.ipv4.tcp_retries2"] = String(settings.retries2);
  if (settings.synRetries != null) out["net.ipv4.tcp_syn_retries"] = String(settings.synRetries);
  return out;
}
