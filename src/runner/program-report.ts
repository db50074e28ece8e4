// What a traced program did, as a run's report: one connection per TCP connection it made or
// accepted (named by its 4-tuple), its calls on the timeline under their own syscall names,
// the first failure after the fault, the calls still blocked, the socket options it set and
// the prediction made from them by the same pipeline as for tcpdrop's own agents; its exit
// and the end of its output; and the verdicts of the expectations on it.
import { type Expectation, evaluate, evaluateAll, formatExpectation } from "../expect/index.js";
import type { Fault } from "../faults/index.js";
import { kernelHz, kernelParams } from "../plan/index.js";
import { failureOf, groupConnections, type ProgramConnection } from "../program/connections.js";
import type { SocketReading } from "../program/read-sockets.js";
import type { ProgramOutcome } from "../program/run-program.js";
import type { Scenario } from "../scenario/load.js";
import type {
  BlockedReport,
  ConnectionReport,
  ProgramReport,
  RunReport,
  Settings,
  SocketEvent,
} from "../types.js";
import { type ExpectationPlan, withDefaults } from "./expectation-plan.js";
import { programPrediction } from "./program-prediction.js";
import { programTarget } from "./program-target.js";

export interface ProgramRunRecord {
  scenario: Scenario;
  settings: Settings;
  fault: Fault;
  measured: Record<string, number>;
  sysctls: Record<string, string>;
  /** The router's ICMP rate limit as read after setup (the model's ICMP budget). */
  routerSysctls?: Record<string, string>;
  plan: ExpectationPlan;
  client: ProgramOutcome | undefined;
  /** The server program's runs: the first, then each restart. */
  server: ProgramOutcome[] | undefined;
  readings: { before: SocketReading | null; after: SocketReading | null };
  steps: { t: number; what: string }[];
  faultAt: number;
  /** "203.0.113.2:7000": connections to it are the ones the fault is about. */
  serverAddress: string;
  durationMs: number;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export function buildProgramReport(r: ProgramRunRecord): RunReport {
  const { settings, faultAt } = r;
  const windowMs = settings.windowS * 1000;
  const kernel = kernelParams(r.sysctls, kernelHz().hz, r.routerSysctls);
  const endMs = faultAt + windowMs;
  const side = r.client ? "client" : "server";
  const records = r.client ? r.client.records : (r.server ?? []).flatMap((o) => o.records);
  const connections: ConnectionReport[] = groupConnections(records).map((conn) => {
    const events = conn.calls.map((call) => toEvent(call, conn.id, side, faultAt));
    const failure = firstFailureAfter(conn, faultAt, endMs);
    const { predicted, options, hint } = programPrediction({
      conn,
      fault: r.fault,
      scenario: r.scenario,
      settings,
      measured: r.measured,
      kernel,
      readings: r.readings,
      faultAt,
      events,
      detected: failure !== null,
    });
    return {
      id: conn.id,
      side,
      workload: "program",
      firstFailure: failure,
      predicted,
      hint,
      events,
      options,
      blocked: conn.blocked.map((b) =>
        blockedReport(b.call, b.startMs, b.endedMs, faultAt, windowMs),
      ),
    };
  });
  const program = r.client ? programReport(r.client, faultAt) : undefined;
  const serverProgram = r.server?.[0] ? programReport(r.server[0], faultAt) : undefined;
  const { expectations, skipped } = withDefaults(r.plan, connections, []);
  const targets = programTarget(connections, r.serverAddress, { program, serverProgram });
  const verdicts = evaluateAll(
    expectations,
    targets.connections,
    settings.windowS,
    targets.programs,
  );
  const exitStep = (who: string, p: ProgramReport | undefined) =>
    p?.exit ? [{ tMs: p.exit.afterMs, what: `${who} ${exitText(p.exit)}` }] : [];
  return {
    scenario: r.scenario.name,
    engine: settings.engine,
    summary: r.scenario.summary,
    settings: { ...settings, sysctls: r.sysctls, routerSysctls: r.routerSysctls ?? {} },
    connections,
    steps: [
      ...r.steps.map((s) => ({ tMs: round(s.t - faultAt), what: s.what })),
      ...exitStep("client program", program),
      ...exitStep("server program", serverProgram),
    ].sort((a, b) => a.tMs - b.tMs),
    verdicts,
    expectations: { checked: verdicts.length, skipped },
    passed: verdicts.every((v) => v.pass),
    durationMs: r.durationMs,
    ...(program ? { program } : {}),
    ...(serverProgram ? { serverProgram } : {}),
  };
}

function toEvent(
  call: ProgramConnection["calls"][number],
  conn: string,
  side: SocketEvent["side"],
  faultAt: number,
): SocketEvent {
  const event: SocketEvent = {
    tMs: round(call.returnMs - faultAt),
    side,
    conn,
    call: call.call,
    result: call.result,
  };
  if (call.bytes !== undefined && call.result === "OK") event.bytes = call.bytes;
  const detail = callDetail(call);
  if (detail) event.detail = detail;
  return event;
}

function callDetail(call: ProgramConnection["calls"][number]): string | null {
  if (call.option) return `${call.option.name}=${call.option.value}`;
  if (call.ready) return call.ready.map((r) => r.events.join("|")).join(" ");
  if (call.address) return call.address;
  if (call.call !== "connect" && call.returnMs - call.startMs >= 1)
    return `blocked ${((call.returnMs - call.startMs) / 1000).toFixed(3)} s`;
  return null;
}

/** The first call after the fault and within the window that failed. */
function firstFailureAfter(conn: ProgramConnection, faultAt: number, endMs: number) {
  for (const call of conn.calls) {
    if (call.returnMs < faultAt || call.returnMs > endMs) continue;
    const failure = failureOf(call);
    if (failure)
      return {
        call: failure.call,
        result: failure.result,
        afterMs: round(call.returnMs - faultAt),
      };
  }
  return null;
}

export function blockedReport(
  call: string,
  startMs: number,
  endedMs: number | null,
  faultAt: number,
  windowMs: number,
): BlockedReport {
  const since = round(startMs - faultAt);
  const sinceText = `${since < 0 ? "−" : "+"}${(Math.abs(since) / 1000).toFixed(1)} s`;
  const text =
    endedMs === null
      ? `blocked in ${call} since ${sinceText}: never returned within ${windowMs / 1000} s`
      : `blocked in ${call} since ${sinceText} until its process ended at ${signed(endedMs - faultAt)}`;
  return {
    call,
    sinceMs: since,
    endedMs: endedMs === null ? null : round(endedMs - faultAt),
    text,
  };
}

const signed = (ms: number) => `${ms < 0 ? "−" : "+"}${(Math.abs(ms) / 1000).toFixed(1)} s`;

export function programReport(outcome: ProgramOutcome, faultAt: number): ProgramReport {
  return {
    command: outcome.command,
    exit: outcome.exit
      ? {
          code: outcome.exit.code,
          signal: outcome.exit.signal,
          afterMs: round(outcome.exit.atMs - faultAt),
        }
      : null,
    stdoutTail: outcome.stdoutTail,
    stderrTail: outcome.stderrTail,
  };
}

export function exitText(exit: NonNullable<ProgramReport["exit"]>): string {
  return exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
}

/**
 * --server-cmd with the built-in client: the server program's report joins the run's, and the
 * expectations on it (server-program: ...) are checked now that its exit is known.
 */
export function withServerProgram(
  report: RunReport,
  outcome: ProgramOutcome,
  faultAt: number,
  extra: Expectation[],
): RunReport {
  const serverProgram = programReport(outcome, faultAt);
  const programs = { "server-program": serverProgram };
  const verdicts = report.verdicts.map((v) => {
    const e = extra.find(
      (x) => x.conn === "server-program" && formatExpectation(x) === v.expectation,
    );
    return e ? evaluate(e, report.connections, report.settings.windowS, programs) : v;
  });
  return { ...report, serverProgram, verdicts, passed: verdicts.every((v) => v.pass) };
}
