// A stateful middlebox as a wire effect: the router forgets the flow (an idle timeout, or a
// flush of its table) and answers the flow's next segment with RST, drops it, or adopts it
// (loose pickup). Which segment comes next depends on the connection's workload: a pooled
// request at connect + requestAfterMs, a writer's sends every sendIntervalMs, a heartbeat's
// pings every --heartbeat interval from its connect, keepalive probes for any socket that has
// keepalive on; predictMiddlebox (middlebox.ts) follows them. A ping that meets the RST fails
// the recv that waits for its answer; a dropped one is the heartbeat's first miss.
import { DEFAULT_HEARTBEAT } from "../defaults.js";
import type { Prediction } from "../types.js";
import { pingTimes } from "./heartbeat.js";
import { type MiddleboxAnswer, predictMiddlebox } from "./middlebox.js";
import type { ModelInput, WireEffect } from "./wire.js";

export interface MiddleboxWire {
  answer: MiddleboxAnswer;
  /** conntrack's established timeout in seconds, or null: never forgets an idle flow. */
  idleTimeoutS: number | null;
  /** When the table is flushed (ms from t=0), or null. */
  flushAtMs: number | null;
  /** The watched connection's workload: which segments it sends after t=0. */
  workload: string;
  /** pooled: the request goes out this long after the connect. */
  requestAfterMs: number;
  /** writer: a send this often. */
  sendIntervalMs: number;
}

export function middlebox(wire: MiddleboxWire): WireEffect {
  return {
    kind: `middlebox-${wire.answer}`,
    predict: (input) => predictThrough(wire, input),
    silentFromMs: (input) => silentFrom(wire, input),
  };
}

/** Pings stop being answered only where the middlebox drops them: from when it forgets. */
function silentFrom(wire: MiddleboxWire, input: ModelInput): number | null {
  if (wire.answer !== "drop") return null;
  const forgottenAtMs = modelOutcome(wire, input).forgottenAtMs;
  return forgottenAtMs !== null && forgottenAtMs <= input.settings.windowS * 1000
    ? forgottenAtMs
    : null;
}

/** When the connection sends data, in ms from t=0, up to the end of the window. */
export function sendTimes(wire: MiddleboxWire, input: ModelInput): number[] {
  const { facts, settings } = input;
  const endMs = settings.windowS * 1000;
  // The pooled connection has heard nothing since its handshake: its last receipt is the connect.
  if (wire.workload === "pooled") return [facts.lastRecvMs + wire.requestAfterMs];
  if (wire.workload === "heartbeat") return heartbeatPings(input, endMs);
  if (wire.workload !== "writer") return [];
  const out: number[] = [];
  const first = facts.firstUnackedSendMs ?? facts.lastRecvMs + wire.sendIntervalMs;
  for (let t = first; t <= endMs; t += wire.sendIntervalMs) out.push(t);
  return out;
}

/** A heartbeat's pings: from its connect on its rhythm (ms from t=0), to the window's end. */
function heartbeatPings(input: ModelInput, endMs: number): number[] {
  const startMs = input.facts.connectedMs;
  if (startMs === null || startMs === undefined) return [];
  const { intervalMs } = input.settings.heartbeat ?? DEFAULT_HEARTBEAT;
  return pingTimes({ startMs, intervalMs, firstGapMs: input.facts.firstGapMs }, endMs);
}

function modelOutcome(wire: MiddleboxWire, input: ModelInput) {
  const { settings, facts, kernel } = input;
  return predictMiddlebox({
    answer: wire.answer,
    idleTimeoutS: wire.idleTimeoutS,
    flushAtMs: wire.flushAtMs,
    lastActivityMs: facts.lastRecvMs,
    sendsMs: sendTimes(wire, input),
    sendName: SEND_NAMES[wire.workload],
    keepalive: settings.keepalive,
    userTimeoutMs: settings.userTimeoutMs,
    retries2: kernel.retries2,
    rtoMs: facts.rtoMs,
    hz: kernel.hz,
  });
}

function predictThrough(wire: MiddleboxWire, input: ModelInput): Prediction {
  const outcome = modelOutcome(wire, input);
  const { prediction, hint } = outcome;
  const { settings } = input;
  const endMs = settings.windowS * 1000;
  if ((outcome.forgottenAtMs ?? 0) > endMs) {
    // Forgotten only once the model's sends stop at the end of the watch: its traffic keeps it.
    return { ...NEVER, basis: OWN_TRAFFIC, hint: OWN_TRAFFIC_HINT };
  }
  // A pooled request or a ping that meets a RST or the void fails in the recv that waits for
  // its answer.
  const asks = wire.workload === "pooled" || wire.workload === "heartbeat";
  const waits = asks && prediction.result !== null;
  const call = prediction.call ?? (waits ? "recv" : null);
  return hint ? { ...prediction, call, hint } : { ...prediction, call };
}

/** A RST to both ends at t=0 (middlebox-reset): every connection's pending recv fails at once. */
export function resetBothEnds(): WireEffect {
  return {
    kind: "rst",
    immediate: true,
    atMs: 0,
    predict: () => ({ call: "recv", result: "ECONNRESET", afterMs: 0, basis: RESET_BASIS }),
  };
}
/** What a workload's sends are, for the basis ("answers the ping at 3948.7 ms with RST"). */
const SEND_NAMES: Record<string, string> = { heartbeat: "ping", pooled: "request" };
const NEVER = { call: null, result: null, afterMs: null };
const OWN_TRAFFIC = "the connection's own traffic keeps the flow alive in the middlebox";
const OWN_TRAFFIC_HINT = "nothing to fix: traffic more often than the idle timeout keeps a flow";
const RESET_BASIS = "the middlebox sends RST to both ends at t=0: the pending recv fails at once";
