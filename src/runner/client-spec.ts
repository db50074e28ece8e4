// The client agent's instructions for one watched connection: where to connect, which socket
// options to set, how its workload sends, and how much it reports.
import { DEFAULT_HEARTBEAT, middleboxTimes } from "../defaults.js";
import { firstGapMs, onTheBeat, phases, WRITER_INTERVAL_MS } from "../plan/timing.js";
import type { Watched } from "../plan/watched.js";
import type { ClientSpec } from "../protocol.js";

/** How a connection's workload sends: every sendIntervalMs, the second send firstGapMs after the first. */
export function sendRhythm(w: Watched): Pick<ClientSpec, "sendIntervalMs" | "firstGapMs"> {
  const { settings } = w;
  const sendIntervalMs =
    w.workload === "heartbeat"
      ? (settings.heartbeat ?? DEFAULT_HEARTBEAT).intervalMs
      : WRITER_INTERVAL_MS;
  if (!onTheBeat(w.workload)) return { sendIntervalMs };
  return { sendIntervalMs, firstGapMs: firstGapMs(phases(settings).preFaultMs, sendIntervalMs) };
}

export function clientSpec(w: Watched, ip: string, port: number): ClientSpec {
  const { settings } = w;
  const heartbeat = settings.heartbeat ?? DEFAULT_HEARTBEAT;
  return {
    conn: w.id,
    workload: w.workload,
    ip,
    port,
    options: {
      keepalive: settings.keepalive,
      userTimeoutMs: settings.userTimeoutMs,
      recverr: settings.recverr,
    },
    ...sendRhythm(w),
    heartbeatMisses: heartbeat.misses,
    ...(w.workload === "pooled" ? { requestAfterMs: middleboxTimes(settings).requestAfterMs } : {}),
    followUpGapMs: phases(settings).followUpGapMs,
    sigpipe: settings.sigpipe,
    engine: settings.engine,
    trace: w.trace,
    // At scale only what matters is reported: no event for each call that worked.
    quiet: (settings.connections ?? 1) > 1 && settings.events !== "all",
  };
}
