// evaluate: expectation x measured connections -> Verdict, with packetdrill-like messages:
// what was expected, when, and what the run actually saw.
import type { ConnectionReport, ProgramReport, Verdict } from "../types.js";
import { formatExpectation, plainSeconds, signedSeconds, windowText } from "./format.js";
import { type Expectation, sameCall, type TimeWindow } from "./model.js";
import { describeFailure, inWindow, type Outcome, observedFailure } from "./outcome.js";
import { checkPredicted } from "./predicted.js";
import { checkExitCode, checkExits } from "./program-checks.js";

/** The traced programs of a run by expectation id ("program", "server-program"). */
export type ProgramsById = Partial<Record<string, ProgramReport>>;

type ResultExpectation = Extract<Expectation, { kind: "result" }>;

function label(e: ResultExpectation): string {
  return `${e.conn} ${e.call === null ? "" : `${e.call} `}${e.result}`;
}

/** This connection's own calls (its events may also hold the peer's) that fit `e` in `window`. */
function matchingEvents(e: ResultExpectation, conn: ConnectionReport, window: TimeWindow) {
  return conn.events.filter(
    (ev) =>
      ev.side === conn.side &&
      ev.result === e.result &&
      (e.call === null || sameCall(ev.call, e.call)) &&
      inWindow(ev.tMs, window),
  );
}

function watchedOnly(window: TimeWindow, windowMs: number): string {
  return window.toMs > windowMs ? ` (the run watched only ${plainSeconds(windowMs)})` : "";
}

/** A failing result (EOF or an errno): checked against the connection's first failure. */
function checkResult(e: ResultExpectation, conn: ConnectionReport, windowMs: number): Outcome {
  const window = e.window ?? { fromMs: 0, toMs: windowMs };
  const ff = observedFailure(conn.firstFailure, windowMs);
  if (
    ff !== null &&
    ff.result === e.result &&
    (e.call === null || sameCall(ff.call, e.call)) &&
    inWindow(ff.afterMs, window)
  ) {
    return {
      pass: true,
      message: `${conn.id} ${describeFailure(ff, windowMs)}, within ${windowText(window)}`,
    };
  }
  let message = `expected ${label(e)} within ${windowText(window)} after the fault; got ${describeFailure(ff, windowMs)}`;
  const later = ff === null ? undefined : matchingEvents(e, conn, window)[0];
  if (later !== undefined) {
    message += ` (${later.call} ${later.result} came later, at ${signedSeconds(later.tMs)} s, but was not the first failure)`;
  }
  if (ff === null) message += watchedOnly(window, windowMs);
  return { pass: false, message };
}

/** `OK`: some successful call of that kind within the window (the connection still works). */
function checkOk(e: ResultExpectation, conn: ConnectionReport, windowMs: number): Outcome {
  const window = e.window ?? { fromMs: 0, toMs: windowMs };
  const ok = matchingEvents(e, conn, window)[0];
  if (ok !== undefined) {
    return {
      pass: true,
      message: `${conn.id} ${ok.call} OK at ${signedSeconds(ok.tMs)} s, within ${windowText(window)}`,
    };
  }
  const ff = observedFailure(conn.firstFailure, windowMs);
  const first = ff === null ? "" : ` (first failure: ${describeFailure(ff, windowMs)})`;
  const calls = e.call === null ? "call" : e.call;
  return {
    pass: false,
    message: `expected ${label(e)} within ${windowText(window)} after the fault; got no successful ${calls} in that window${first}${watchedOnly(window, windowMs)}`,
  };
}

function checkNone(conn: ConnectionReport, withinMs: number, windowMs: number): Outcome {
  const expected = `${conn.id} none within ${plainSeconds(withinMs)}`;
  const ff = conn.firstFailure;
  if (ff !== null && ff.afterMs <= withinMs) {
    return {
      pass: false,
      message: `expected ${expected} after the fault; got ${describeFailure(ff, windowMs)}`,
    };
  }
  if (ff === null && withinMs > windowMs) {
    return {
      pass: false,
      message: `expected ${expected} after the fault; got none, but the run watched only ${plainSeconds(windowMs)}`,
    };
  }
  const later = ff === null ? "" : ` (first failure: ${describeFailure(ff, windowMs)})`;
  return { pass: true, message: `${expected}${later}` };
}

function unknownConnection(id: string, connections: ConnectionReport[]): string {
  const ids = [...new Set(connections.map((c) => c.id))];
  const known = ids.length === 0 ? "the run has no connections" : `connections: ${ids.join(", ")}`;
  return `expected a connection "${id}"; got no such connection (${known})`;
}

/** Checks one expectation against a run's connections; windowS is the observation window. */
export function evaluate(
  e: Expectation,
  connections: ConnectionReport[],
  windowS: number,
  programs: ProgramsById = {},
): Verdict {
  const expectation = formatExpectation(e);
  if (e.kind === "exits" || e.kind === "exit-code") {
    const program = programs[e.conn];
    if (program === undefined) {
      const message = `expected a program "${e.conn}"; got none (exits and exit code are about --client-cmd's program or --server-cmd's server-program)`;
      return { expectation, pass: false, message };
    }
    const outcome =
      e.kind === "exits"
        ? checkExits(e.conn, program, e.withinMs)
        : checkExitCode(e.conn, program, e.code);
    return { expectation, ...outcome };
  }
  const conn = connections.find((c) => c.id === e.conn);
  if (conn === undefined) {
    return { expectation, pass: false, message: unknownConnection(e.conn, connections) };
  }
  const windowMs = windowS * 1000;
  let outcome: Outcome;
  switch (e.kind) {
    case "result":
      outcome = e.result === "OK" ? checkOk(e, conn, windowMs) : checkResult(e, conn, windowMs);
      break;
    case "none":
      outcome = checkNone(conn, e.withinMs, windowMs);
      break;
    case "predicted":
      outcome = checkPredicted(e.tolerance, conn, windowMs);
      break;
  }
  return { expectation, ...outcome };
}

export function evaluateAll(
  exprs: Expectation[],
  connections: ConnectionReport[],
  windowS: number,
  programs: ProgramsById = {},
): Verdict[] {
  return exprs.map((e) => evaluate(e, connections, windowS, programs));
}
