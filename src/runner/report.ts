// From what the agents wrote to a run's report: per-connection timelines, first failures,
// predictions (in the terms of the connection's workload and engine), hints and verdicts.

import { type Expectation, evaluate, evaluateAll, formatExpectation } from "../expect/index.js";
import type { Fault } from "../faults/index.js";
import {
  kernelHz,
  kernelParams,
  type PredictionInput,
  predictConnection,
  type Watched,
} from "../plan/index.js";
import { undetectedHint } from "../predict/index.js";
import type { Scenario } from "../scenario/load.js";
import type {
  ConnectionReport,
  KernelParams,
  Prediction,
  RunReport,
  Settings,
  SocketEvent,
  Verdict,
} from "../types.js";
import { sendRhythm } from "./client-spec.js";
import { ConnectionTimelines, firstFailure, processEvents, type RawEvent } from "./collect.js";
import { distribution } from "./distribution.js";
import { type ExpectationPlan, withDefaults } from "./expectation-plan.js";
import { connectionFacts, type Snapshot } from "./facts.js";
import { TextPool } from "./text-pool.js";

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
  const kernel = reportKernel(r);
  const timelines = new ConnectionTimelines(
    r.raw,
    r.faultAt,
    r.watched.map((w) => w.id),
  );
  const scaled = (settings.connections ?? 1) > 1;
  // At scale the report holds distributions, not each call (unless --events all): a
  // connection's events live while what the report says of it is worked out, and are built
  // again for the verdicts. The connect times are all the distributions need of them.
  const keepEvents = !scaled || settings.events === "all";
  const connectTimes = new Map<string, number[]>();
  const texts = new TextPool();
  const connections: ConnectionReport[] = r.watched.map((w) => {
    const events = timelines.events(w.id);
    const side = settings.observer ?? "client";
    const failure = firstFailure(events, windowMs, side);
    const predicted = pooled(texts, predictConnection(predictionInput(r, kernel, w, events)));
    if (scaled) {
      const times = connectTimes.get(w.group) ?? [];
      connectTimes.set(w.group, times);
      for (const e of events) if (e.call === "connect") times.push(e.tMs);
    }
    return {
      id: w.id,
      side,
      workload: w.workload,
      firstFailure: failure,
      predicted,
      hint: pooledOrNull(
        texts,
        predicted.hint ??
          (failure ? null : undetectedHint(predicted, w.settings, settings.windowS)),
      ),
      events: keepEvents ? events : [],
    };
  });
  const groups = [...new Set(r.watched.map((w) => w.group))];
  const { expectations, skipped } = withDefaults(r.plan, connections, r.watched);
  const eventsOf = (c: ConnectionReport) => (keepEvents ? c.events : timelines.events(c.id));
  const verdicts = scaled
    ? expectations.map((e) => groupVerdict(e, connections, r.watched, settings.windowS, eventsOf))
    : evaluateAll(expectations, connections, settings.windowS);
  const distributions = scaled
    ? groups.map((g) =>
        distribution(
          g,
          connections.filter((_, i) => r.watched[i].group === g),
          connectTimes.get(g) ?? [],
        ),
      )
    : undefined;
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

/** What a run's predictions are made for: the observer's kernel as its lab read it. */
export function reportKernel(r: Pick<RunRecord, "sysctls" | "hz" | "routerSysctls">): KernelParams {
  return kernelParams(r.sysctls, r.hz ?? kernelHz().hz, r.routerSysctls);
}

/** A watched connection's prediction input, from its events (ms from the fault). */
export function predictionInput(
  r: Pick<
    RunRecord,
    "settings" | "snapshot" | "faultAt" | "fault" | "scenario" | "measured" | "watched"
  >,
  kernel: KernelParams,
  w: Watched,
  events: SocketEvent[],
): PredictionInput {
  const side = r.settings.observer ?? "client";
  const rhythm = sendRhythm(w);
  const facts = connectionFacts(w.id, w.workload, events, r.snapshot, r.faultAt, side, rhythm);
  return {
    fault: r.fault,
    params: r.scenario,
    measured: r.measured,
    watched: w,
    others: r.watched,
    facts,
    kernel,
  };
}

/** The prediction with its words from the pool. */
function pooled(texts: TextPool, p: Prediction): Prediction {
  p.basis = texts.get(p.basis);
  if (p.hint !== undefined) p.hint = texts.get(p.hint);
  if (p.uncertain !== undefined) p.uncertain = texts.get(p.uncertain);
  return p;
}

function pooledOrNull(texts: TextPool, text: string | null): string | null {
  return text === null ? null : texts.get(text);
}

/**
 * An expectation on a group ("idle") holds when it holds for every member ("idle-1", ...).
 * Each member is checked on its own, with its events as eventsOf gives them.
 */
function groupVerdict(
  e: Expectation,
  connections: ConnectionReport[],
  watched: Watched[],
  windowS: number,
  eventsOf: (c: ConnectionReport) => ConnectionReport["events"],
): Verdict {
  const members = connections.filter((_, i) => watched[i].group === e.conn);
  if (members.length === 0) return evaluate(e, connections, windowS);
  let failed = 0;
  let firstFailed: Verdict | undefined;
  for (const m of members) {
    const verdict = evaluate({ ...e, conn: m.id }, [{ ...m, events: eventsOf(m) }], windowS);
    if (verdict.pass) continue;
    failed++;
    firstFailed ??= verdict;
  }
  const text = formatExpectation(e);
  if (firstFailed === undefined) {
    return {
      expectation: text,
      pass: true,
      message: `${text}: held for all ${members.length} connections`,
    };
  }
  return {
    expectation: text,
    pass: false,
    message: `${failed} of ${members.length} connections failed "${text}"; first: ${firstFailed.message}`,
  };
}
