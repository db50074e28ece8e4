// Which client connections a run watches, and with what socket options: the scenario's
// workloads (idle and writer by default), or one connection per detection method (--detect).
import type { ClientSpec, Workload } from "../agent/client.js";
import { UsageError } from "../errors.js";
import type { Scenario } from "../scenario/load.js";
import type { DetectMethod, Settings } from "../types.js";
import { WRITER_INTERVAL_MS } from "./timing.js";

/** What a method measures with when its own knob was not given. */
const DEFAULT_KEEPALIVE = { idle: 1, interval: 1, count: 2 };
const DEFAULT_USER_TIMEOUT_MS = 3000;

const METHOD_WORKLOAD: Record<DetectMethod, Workload> = {
  recv: "idle",
  poll: "poll",
  "tcp-info": "tcp-info",
  keepalive: "idle",
  "user-timeout": "writer",
  heartbeat: "heartbeat",
  urgent: "urgent",
};

export interface Watched {
  id: string;
  workload: Workload;
  /** The settings as they apply to this connection (a method may force its own knob). */
  settings: Settings;
  /** Also report TCP_INFO changes (the scenario's `trace`). */
  trace?: boolean;
  /** The workload or method this connection is one of ("idle" for "idle-17"). */
  group: string;
}

/** Every watched connection: one per workload or method, or --connections N of each. */
export function watchedConnections(scenario: Scenario, settings: Settings): Watched[] {
  const n = settings.connections ?? 1;
  const groups = watchedGroups(scenario, settings);
  if (n === 1) return groups;
  return groups.flatMap((g) =>
    Array.from({ length: n }, (_, i) => ({ ...g, id: `${g.id}-${i + 1}` })),
  );
}

function watchedGroups(scenario: Scenario, settings: Settings): Watched[] {
  const detect = settings.detect ?? [];
  if (detect.length === 0) {
    return scenario.workloads.map((w) => ({
      id: w,
      group: w,
      workload: w,
      settings,
      trace: scenario.trace.includes(w),
    }));
  }
  return detect.map((method) => ({
    id: method,
    group: method,
    workload: METHOD_WORKLOAD[method],
    settings: {
      ...settings,
      keepalive:
        method === "keepalive" ? (settings.keepalive ?? DEFAULT_KEEPALIVE) : settings.keepalive,
      userTimeoutMs:
        method === "user-timeout"
          ? (settings.userTimeoutMs ?? DEFAULT_USER_TIMEOUT_MS)
          : settings.userTimeoutMs,
    },
  }));
}

export function clientSpec(w: Watched, ip: string, port: number): ClientSpec {
  const { settings } = w;
  const heartbeat = settings.heartbeat ?? { intervalMs: 500, misses: 3 };
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
    sendIntervalMs: w.workload === "heartbeat" ? heartbeat.intervalMs : WRITER_INTERVAL_MS,
    heartbeatMisses: heartbeat.misses,
    sigpipe: settings.sigpipe,
    engine: settings.engine,
    trace: w.trace,
    // At scale only what matters is reported: no event for each call that worked.
    quiet: (settings.connections ?? 1) > 1 && settings.events !== "all",
  };
}

/** Workloads that keep sending, so a silent peer leaves their data unacknowledged. */
export function sends(workload: string): boolean {
  return workload === "writer" || workload === "urgent" || workload === "heartbeat";
}

/** Faults that can strike the client instead, leaving the server's sockets to watch. */
const SERVER_OBSERVABLE = new Set(["crash"]);

/**
 * The settings a scenario runs with: its own observer unless --observer says otherwise, where
 * the fault allows it.
 */
export function scenarioSettings(scenario: Scenario, settings: Settings): Settings {
  const observer = settings.observer ?? scenario.observer;
  if (observer === "server" && !SERVER_OBSERVABLE.has(scenario.fault)) {
    throw new UsageError(
      `--observer server: in ${scenario.name} the fault strikes the server, so only the client can observe it; try host-crash or client-crash`,
    );
  }
  return { ...settings, observer };
}
