// From what the agents wrote to a run's report: per-connection timelines, first failures,
// predictions (in the terms of the connection's workload and engine), hints and verdicts.

import { DEFAULT_HEARTBEAT } from "../defaults.js";
import { type Expectation, evaluate, evaluateAll, formatExpectation } from "../expect/index.js";
import type { Fault } from "../faults/index.js";
import { kernelHz, kernelParams, predictConnection, type Watched } from "../plan/index.js";
import { WRITER_INTERVAL_MS } from "../plan/timing.js";
import { undetectedHint } from "../predict/index.js";
import type { Scenario } from "../scenario/load.js";
import type { ConnectionReport, RunReport, Settings, Verdict } from "../types.js";
import { firstFailure, processEvents, type RawEvent, timelines } from "./collect.js";
import { distribution } from "./distribution.js";
import { type ExpectationPlan, withDefaults } from "./expectation-plan.js";
import { connectionFacts, type Snapshot } from "./facts.js";

export interface RunRecord {
  scenario: Scenario;
  settings: Settings;
  watched: Watched[];
  /** What to check, with --detect's defaults and the skipped ones (expectation-plan.ts). */
  plan: ExpectationPlan;
  sysctls: Record<string, string>;
  /** Remote mode: the client host's HZ (else this machine's) and the hosts' kernels. */
  hz?: number;
  hosts?: unknown;
  /** The router's ICMP rate limit as read (absent in older records). */
  routerSysctls?: Record<string, string>;
  raw: RawEvent[];
  steps: { t: number; what: string }[];
  snapshot: Snapshot;
  faultAt: number;
  fault: Fault;
  /** What the fault measured while it ran (a reboot's real time). */
  measured: Record<string, number>;
  durationMs: number;
}

export function buildRunReport(r: RunRecord): RunReport {
  const { settings } = r;
  const windowMs = settings.windowS * 1000;
  const kernel = kernelParams(r.sysctls, r.hz ?? kernelHz().hz, r.routerSysctls);
  const byConn = timelines(
    r.raw,
    r.faultAt,
    r.watched.map((w) => w.id),
  );
  const connections: ConnectionReport[] = r.watched.map((w) => {
    const events = byConn.get(w.id) ?? [];
    const side = settings.observer ?? "client";
    const interval =
      w.workload === "heartbeat"
        ? (w.settings.heartbeat ?? DEFAULT_HEARTBEAT).intervalMs
        : WRITER_INTERVAL_MS;
    const facts = connectionFacts(w.id, w.workload, events, r.snapshot, r.faultAt, side, interval);
    const failure = firstFailure(events, windowMs, side);
    const predicted = predictConnection({
      fault: r.fault,
      params: r.scenario,
      measured: r.measured,
      watched: w,
      others: r.watched,
      facts,
      kernel,
    });
    return {
      id: w.id,
      side,
      workload: w.workload,
      firstFailure: failure,
      predicted,
      hint:
        predicted.hint ??
        (failure ? null : undetectedHint(predicted, w.settings, settings.windowS)),
      events,
    };
  });
  const groups = [...new Set(r.watched.map((w) => w.group))];
  const { expectations, skipped } = withDefaults(r.plan, connections, r.watched);
  const scaled = (settings.connections ?? 1) > 1;
  const verdicts = scaled
    ? expectations.map((e) => groupVerdict(e, connections, r.watched, settings.windowS))
    : evaluateAll(expectations, connections, settings.windowS);
  const distributions = scaled
    ? groups.map((g) =>
        distribution(
          g,
          connections.filter((_, i) => r.watched[i].group === g),
        ),
      )
    : undefined;
  if (scaled && settings.events !== "all") for (const c of connections) c.events = [];
  return {
    scenario: r.scenario.name,
    engine: settings.engine,
    summary: r.scenario.summary,
    settings: {
      ...settings,
      sysctls: r.sysctls,
      routerSysctls: r.routerSysctls ?? {},
      ...(r.hosts ? { hosts: r.hosts } : {}),
    },
    connections,
    ...(distributions ? { distributions } : {}),
    steps: [
      ...processEvents(r.raw, r.faultAt).map((e) => ({
        tMs: e.tMs,
        what: `server process: ${e.result}`,
      })),
      ...r.steps.map((s) => ({ tMs: Math.round((s.t - r.faultAt) * 10) / 10, what: s.what })),
    ].sort((a, b) => a.tMs - b.tMs),
    verdicts,
    expectations: { checked: verdicts.length, skipped },
    passed: verdicts.every((v) => v.pass),
    durationMs: r.durationMs,
  };
}

/** An expectation on a group ("idle") holds when it holds for every member ("idle-1", ...). */
function groupVerdict(
  e: Expectation,
  connections: ConnectionReport[],
  watched: Watched[],
  windowS: number,
): Verdict {
  const members = connections.filter((_, i) => watched[i].group === e.conn);
  const verdicts = members.map((m) => evaluate({ ...e, conn: m.id }, connections, windowS));
  const failed = verdicts.filter((v) => !v.pass);
  const text = formatExpectation(e);
  if (members.length === 0) return evaluate(e, connections, windowS);
  if (failed.length === 0) {
    return {
      expectation: text,
      pass: true,
      message: `${text}: held for all ${members.length} connections`,
    };
  }
  return {
    expectation: text,
    pass: false,
    message: `${failed.length} of ${members.length} connections failed "${text}"; first: ${failed[0].message}`,
  };
}
