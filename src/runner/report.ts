// From what the agents wrote to a run's report: per-connection timelines, first failures,
// predictions (in the terms of the connection's workload and engine), hints and verdicts.
import { type Expectation, evaluate, evaluateAll, formatExpectation } from "../expect/index.js";
import { predict, undetectedHint } from "../predict/index.js";
import type { Scenario } from "../scenario/load.js";
import type {
  ConnectionReport,
  KernelParams,
  Prediction,
  RunReport,
  Settings,
  Verdict,
  WireEffect,
} from "../types.js";
import { firstFailure, processEvents, type RawEvent, timelines } from "./collect.js";
import type { Watched } from "./connections.js";
import { distribution } from "./distribution.js";
import { type ExpectationPlan, withDefaults } from "./expectation-plan.js";
import { connectionFacts, type Snapshot } from "./facts.js";
import { kernelHz } from "./kernel.js";
import { WRITER_INTERVAL_MS } from "./timing.js";

export interface RunRecord {
  scenario: Scenario;
  settings: Settings;
  watched: Watched[];
  /** What to check, with --detect's defaults and the skipped ones (expectation-plan.ts). */
  plan: ExpectationPlan;
  sysctls: Record<string, string>;
  raw: RawEvent[];
  steps: { t: number; what: string }[];
  snapshot: Snapshot;
  faultAt: number;
  wire: (workload: string) => WireEffect;
  durationMs: number;
}

export function buildRunReport(r: RunRecord): RunReport {
  const { settings } = r;
  const windowMs = settings.windowS * 1000;
  const kernel = kernelParams(r.sysctls);
  const byConn = timelines(
    r.raw,
    r.faultAt,
    r.watched.map((w) => w.id),
  );
  const connections: ConnectionReport[] = r.watched.map((w) => {
    const events = byConn.get(w.id) ?? [];
    const side = settings.observer ?? "client";
    const interval =
      w.workload === "heartbeat" ? (w.settings.heartbeat?.intervalMs ?? 500) : WRITER_INTERVAL_MS;
    const facts = connectionFacts(w.id, w.workload, events, r.snapshot, r.faultAt, side, interval);
    const failure = firstFailure(events, windowMs, side);
    const base = predict(r.wire(w.workload), w.settings, facts, kernel);
    const predicted = inWorkloadTerms(base, w, facts.firstUnackedSendMs, r.wire(w.workload));
    return {
      id: w.id,
      side,
      workload: w.workload,
      firstFailure: failure,
      predicted,
      hint: failure ? null : undetectedHint(predicted, w.settings, settings.windowS),
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
    settings: { ...settings, sysctls: r.sysctls },
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

/**
 * The kernel's answer as this connection shows it: the node engine names calls after libuv's
 * syscalls (read, write); poll shows readiness bits; tcp-info a state; a heartbeat gives up on
 * its own clock when the peer stops answering, unless TCP reports something sooner.
 */
export function inWorkloadTerms(
  p: Prediction,
  w: Watched,
  firstPingMs: number | null,
  wire: WireEffect,
): Prediction {
  let out = p;
  if (w.workload === "heartbeat" && firstPingMs !== null && !["fin", "rst"].includes(wire.kind)) {
    const hb = w.settings.heartbeat ?? { intervalMs: 500, misses: 3 };
    const deadAt = Math.round((firstPingMs + hb.misses * hb.intervalMs) * 10) / 10;
    if (p.afterMs === null || deadAt < p.afterMs) {
      const basis = `${hb.misses} pings ${hb.intervalMs} ms apart unanswered, from the first ping after the fault`;
      out = { call: "heartbeat", result: "DEAD", afterMs: deadAt, basis };
    }
  }
  if (out.result !== null && w.workload === "poll") {
    const bits = out.result === "EOF" ? "POLLIN|POLLRDHUP" : "POLLIN|POLLRDHUP|POLLHUP|POLLERR";
    out = { ...out, call: "poll", result: bits };
  }
  if (out.result !== null && w.workload === "tcp-info") {
    out = { ...out, call: "tcp_info", result: out.result === "EOF" ? "CLOSE_WAIT" : "CLOSE" };
  }
  if (w.settings.engine === "node" && out.call !== null) {
    out = { ...out, call: out.call === "recv" ? "read" : out.call === "send" ? "write" : out.call };
  }
  return out;
}

export function kernelParams(sysctls: Record<string, string>): KernelParams {
  const num = (key: string, fallback: number) => Number(sysctls[`net.ipv4.${key}`] ?? fallback);
  return {
    hz: kernelHz().hz,
    retries2: num("tcp_retries2", 15),
    keepaliveTime: num("tcp_keepalive_time", 7200),
    keepaliveIntvl: num("tcp_keepalive_intvl", 75),
    keepaliveProbes: num("tcp_keepalive_probes", 9),
    synRetries: num("tcp_syn_retries", 6),
  };
}
