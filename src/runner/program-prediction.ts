// The prediction for a traced program's connection, made by the same pipeline as for tcpdrop's
// own agents (predictConnection): the settings are the ones the program gave its socket (its
// setsockopt calls, the namespace's sysctls for the rest), and the facts come from TCP_INFO of
// its socket, read through sock_diag (ss) just before and just after the fault. When the
// program would not notice within the window, the hint says in its own terms which socket
// options would have made it notice, and when.
import type { Fault } from "../faults/index.js";
import { predictConnection, type Watched } from "../plan/index.js";
import type { ProgramConnection } from "../program/connections.js";
import { describeSettings, programSettings } from "../program/program-settings.js";
import type { SocketReading } from "../program/read-sockets.js";
import type { SocketInfo } from "../program/ss-info.js";
import type { Scenario } from "../scenario/load.js";
import type { ConnectionFacts, KernelParams, Prediction, Settings, SocketEvent } from "../types.js";

export interface ProgramPredictionInput {
  conn: ProgramConnection;
  fault: Fault;
  scenario: Scenario;
  settings: Settings;
  measured: Record<string, number>;
  kernel: KernelParams;
  readings: { before: SocketReading | null; after: SocketReading | null };
  faultAt: number;
  events: SocketEvent[];
  detected: boolean;
}

const TRY_KEEPALIVE = { idle: 1, interval: 1, count: 2 };
const TRY_USER_TIMEOUT_MS = 3000;
const WRITES = /^(write|writev|send|sendto|sendmsg|sendmmsg)$/;

export function programPrediction(input: ProgramPredictionInput): {
  predicted: Prediction | null;
  options: string;
  hint: string | null;
} {
  const { conn, settings, kernel } = input;
  const own = programSettings(conn.options, kernel);
  const options = describeSettings(own);
  // Only the program's connections to the server are what the fault is about; a connection
  // the program accepted (a server program) or made elsewhere gets no prediction.
  if (input.events[0]?.side !== "client" || conn.via !== "connect" || conn.src === "")
    return { predicted: null, options, hint: null };
  const facts = programFacts(input);
  const watched = (keepalive: Settings["keepalive"], userTimeoutMs: number | null): Watched => ({
    id: conn.id,
    group: "program",
    workload: facts.firstUnackedSendMs === null ? "idle" : "writer",
    settings: { ...settings, engine: "syscall", keepalive, userTimeoutMs },
  });
  const predict = (w: Watched) =>
    predictConnection({
      fault: input.fault,
      params: input.scenario,
      measured: input.measured,
      watched: w,
      facts: { ...facts, workload: w.workload },
      kernel,
    });
  const predicted = predict(watched(own.keepalive, own.userTimeoutMs));
  const windowMs = settings.windowS * 1000;
  const noticed = predicted.afterMs !== null && predicted.afterMs <= windowMs;
  if (input.detected || noticed) return { predicted, options, hint: null };
  const writer = facts.firstUnackedSendMs !== null;
  const tryIt = writer
    ? predict(watched(own.keepalive, TRY_USER_TIMEOUT_MS))
    : predict(watched(TRY_KEEPALIVE, own.userTimeoutMs));
  const mine =
    own.keepalive || own.userTimeoutMs
      ? `your program set ${options}`
      : "your program set no keepalive and no TCP_USER_TIMEOUT";
  const suggestion = writer
    ? `with TCP_USER_TIMEOUT=${TRY_USER_TIMEOUT_MS}`
    : `with SO_KEEPALIVE=1 TCP_KEEPIDLE=${TRY_KEEPALIVE.idle} TCP_KEEPINTVL=${TRY_KEEPALIVE.interval} TCP_KEEPCNT=${TRY_KEEPALIVE.count}`;
  const would =
    tryIt.afterMs !== null && tryIt.result !== null
      ? `it would have noticed at ~${(tryIt.afterMs / 1000).toFixed(1)} s (${tryIt.call ?? "a call"} ${tryIt.result})`
      : "it would still not have noticed";
  const when =
    predicted.afterMs !== null
      ? ` (the kernel gives up at ~${(predicted.afterMs / 1000).toFixed(1)} s)`
      : "";
  return { predicted, options, hint: `${mine}${when}; ${suggestion} ${would}` };
}

/** When the socket last heard from the peer, its RTO, its first send after the fault. */
function programFacts(input: ProgramPredictionInput): ConnectionFacts {
  const { conn, readings, faultAt, events } = input;
  const find = (r: SocketReading | null): SocketInfo | undefined =>
    r?.sockets.find((s) => s.local === conn.src && s.peer === conn.dst);
  const before = find(readings.before);
  const after = find(readings.after);
  const last = after ?? before;
  const reading = after ? readings.after : readings.before;
  let lastRecvMs: number;
  if (last && reading) {
    const since = Math.min(last.lastRecvMs || Infinity, last.lastAckMs || Infinity);
    lastRecvMs = Number.isFinite(since) ? reading.t - since - faultAt : 0;
  } else {
    // No reading (the socket was gone): its last successful call before the fault.
    const ok = events.filter((e) => e.tMs <= 0 && e.result === "OK");
    lastRecvMs = ok.length ? ok[ok.length - 1].tMs : 0;
  }
  const firstSend = events.find((e) => e.tMs >= 0 && WRITES.test(e.call));
  return {
    workload: firstSend ? "writer" : "idle",
    lastRecvMs: Math.round(Math.min(0, lastRecvMs) * 10) / 10,
    firstUnackedSendMs: firstSend ? firstSend.tMs : null,
    rtoMs: before?.rtoMs ?? 200,
  };
}
