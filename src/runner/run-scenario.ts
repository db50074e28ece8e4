// One run of one scenario: build a lab, connect the watched client sockets, let them settle,
// inject the fault, watch until every connection has failed and finished its follow-up calls
// or the window closes, then tear the lab down and turn what the agents wrote into a report.
import { SetupError } from "../errors.js";
import { type Expectation, evaluateAll } from "../expect/index.js";
import { nowMs, sleep } from "../faults/fault.js";
import { makeFault } from "../faults/index.js";
import { SERVER_IP, SERVER_PORT } from "../lab/addresses.js";
import type { AgentMessage } from "../lab/agent-process.js";
import { Lab } from "../lab/lab.js";
import { predict, undetectedHint } from "../predict/index.js";
import type { Scenario } from "../scenario/load.js";
import type { ConnectionReport, KernelParams, Prediction, RunReport, Settings } from "../types.js";
import { firstFailure, processEvents, type RawEvent, timelines } from "./collect.js";
import { connectionFacts, type Snapshot } from "./facts.js";
import { kernelHz } from "./kernel.js";
import { PRE_FAULT_MS, WRITER_INTERVAL_MS } from "./timing.js";
import { applicableExpectations } from "./when.js";

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
): Promise<RunReport> {
  const started = nowMs();
  const raw: RawEvent[] = [];
  const done = new Set<string>();
  const steps: { t: number; what: string }[] = [];
  const onMessage = (_host: string, msg: AgentMessage) => {
    if (msg.type === "event") raw.push(msg as unknown as RawEvent);
    else if (msg.type === "done") done.add(msg.conn as string);
  };
  const clientSysctls: Record<string, string> = {};
  if (settings.retries2 !== null)
    clientSysctls["net.ipv4.tcp_retries2"] = String(settings.retries2);
  const step = (name: string) => hooks.onStep?.(name);
  step("build the lab");
  const lab = await Lab.build({
    clientSysctls,
    serverFlags: settings.ignoreSigterm ? ["--ignore-sigterm"] : [],
    onMessage,
  });

  let aborted = false;
  const observing = observe();
  observing.catch(() => {});
  try {
    return await Promise.race([observing, lab.crashed]);
  } finally {
    aborted = true;
    step("tear the lab down");
    await lab.destroy();
  }

  async function observe(): Promise<RunReport> {
    const specs = scenario.workloads.map((workload) => ({
      conn: workload,
      workload,
      ip: SERVER_IP,
      port: SERVER_PORT,
      options: { keepalive: settings.keepalive, userTimeoutMs: settings.userTimeoutMs },
      sendIntervalMs: WRITER_INTERVAL_MS,
      engine: settings.engine,
    }));
    step("connect the client to the server");
    const reply = await lab.client.request("connect", { specs });
    if (reply.connected !== specs.length)
      throw new SetupError("the client could not connect to the server");
    await sleep(PRE_FAULT_MS);
    const snapshot = (await lab.client.request("snapshot")) as unknown as Snapshot;
    const fault = makeFault(scenario.fault, { rebootAfterMs: scenario.rebootAfterMs });
    step(`inject the fault (${scenario.fault})`);
    lab.serverMayDie = true;
    const injected = await fault.inject({
      lab,
      settings,
      note: (t, what) => steps.push({ t, what }),
    });
    const faultAt = injected.at;
    const rest = injected.rest ?? Promise.resolve();
    rest.catch(() => {});
    await watch(
      faultAt,
      settings.windowS * 1000,
      () => aborted || done.size === specs.length,
      () => raw.length,
      hooks,
    );
    step(`finish the fault (${scenario.fault})`);
    await rest;
    const expectations = applicableExpectations(scenario, settings, extra);
    return report(
      scenario,
      settings,
      expectations,
      lab.sysctls,
      raw,
      steps,
      snapshot,
      faultAt,
      fault.wire(settings),
      started,
    );
  }
}

async function watch(
  faultAt: number,
  windowMs: number,
  allDone: () => boolean,
  eventCount: () => number,
  hooks: RunHooks,
): Promise<void> {
  while (!allDone() && nowMs() < faultAt + windowMs) {
    hooks.onProgress?.(nowMs() - faultAt, eventCount());
    await sleep(Math.min(100, Math.max(1, faultAt + windowMs - nowMs())));
  }
}

function report(
  scenario: Scenario,
  settings: Settings,
  expectations: Expectation[],
  sysctls: Record<string, string>,
  raw: RawEvent[],
  steps: { t: number; what: string }[],
  snapshot: Snapshot,
  faultAt: number,
  wire: ReturnType<ReturnType<typeof makeFault>["wire"]>,
  started: number,
): RunReport {
  const windowMs = settings.windowS * 1000;
  const kernel = kernelParams(sysctls);
  const byConn = timelines(raw, faultAt, scenario.workloads);
  const connections: ConnectionReport[] = scenario.workloads.map((id) => {
    const events = byConn.get(id) ?? [];
    const facts = connectionFacts(id, id, events, snapshot, faultAt);
    const failure = firstFailure(events, windowMs);
    const predicted = inEngineTerms(predict(wire, settings, facts, kernel), settings.engine);
    return {
      id,
      side: "client",
      workload: id,
      firstFailure: failure,
      predicted,
      hint: failure ? null : undetectedHint(predicted, settings, settings.windowS),
      events,
    };
  });
  const verdicts = evaluateAll(expectations, connections, settings.windowS);
  return {
    scenario: scenario.name,
    engine: settings.engine,
    summary: scenario.summary,
    settings: {
      keepalive: settings.keepalive,
      userTimeoutMs: settings.userTimeoutMs,
      sysctls,
      windowS: settings.windowS,
      ignoreSigterm: settings.ignoreSigterm,
      graceMs: settings.graceMs,
    },
    connections,
    steps: [
      ...processEvents(raw, faultAt).map((e) => ({
        tMs: e.tMs,
        what: `server process: ${e.result}`,
      })),
      ...steps.map((s) => ({ tMs: Math.round((s.t - faultAt) * 10) / 10, what: s.what })),
    ].sort((a, b) => a.tMs - b.tMs),
    verdicts,
    passed: verdicts.every((v) => v.pass),
    durationMs: Math.round(nowMs() - started),
  };
}

/** Node.js names the calls after libuv's syscalls: a predicted recv is a "read" there. */
function inEngineTerms(p: Prediction, engine: Settings["engine"]): Prediction {
  if (engine !== "node" || p.call === null) return p;
  return { ...p, call: p.call === "recv" ? "read" : p.call === "send" ? "write" : p.call };
}

export function kernelParams(sysctls: Record<string, string>): KernelParams {
  const num = (key: string, fallback: number) => Number(sysctls[`net.ipv4.${key}`] ?? fallback);
  return {
    hz: kernelHz().hz,
    retries2: num("tcp_retries2", 15),
    keepaliveTime: num("tcp_keepalive_time", 7200),
    keepaliveIntvl: num("tcp_keepalive_intvl", 75),
    keepaliveProbes: num("tcp_keepalive_probes", 9),
  };
}
