// Which connections a run watches, and with what socket options: the scenario's workloads
// (idle and writer by default), or one connection per detection method (--detect); and the
// settings a scenario runs with (its observer, where its fault allows it).
import { UsageError } from "../errors.js";
import { faultNamed } from "../faults/index.js";
import type { Workload } from "../protocol.js";
import type { Scenario } from "../scenario/load.js";
import type { DetectMethod, Settings } from "../types.js";
import { defaultPreFaultMs, PRE_FAULT_MS } from "./timing.js";

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

/** Workloads that keep sending, so a silent peer leaves their data unacknowledged. */
export function sends(workload: string): boolean {
  return workload === "writer" || workload === "urgent" || workload === "heartbeat";
}

/**
 * The settings a scenario runs with: its own observer unless --observer says otherwise, where
 * the fault allows it.
 */
export function scenarioSettings(scenario: Scenario, settings: Settings): Settings {
  const observer = settings.observer ?? scenario.observer;
  if (!faultNamed(scenario.fault).observers.includes(observer)) {
    throw new UsageError(
      `--observer server: in ${scenario.name} the fault strikes the server, so only the client can observe it; try host-crash or client-crash`,
    );
  }
  const resolved = { ...settings, observer };
  if (resolved.preFaultMs !== undefined) return resolved;
  // a scenario that connects after its fault has no pre-fault: the report keeps the default
  if (scenario.connectAfterFault) return { ...resolved, preFaultMs: PRE_FAULT_MS };
  const watched = watchedConnections(scenario, resolved);
  const atOnce = strikesAtOnce(scenario, watched);
  return { ...resolved, preFaultMs: defaultPreFaultMs(watched, resolved, atOnce) };
}

/**
 * Does the fault reach every watched connection at t=0 (a FIN or a RST then, not after a
 * grace period), without waiting for their sends first?
 */
function strikesAtOnce(scenario: Scenario, watched: Watched[]): boolean {
  const fault = faultNamed(scenario.fault);
  if (fault.waitsForSends) return false;
  return watched.every((w) => {
    const view = { settings: w.settings, workload: w.workload, params: scenario, measured: {} };
    const wire = fault.wire(view);
    return wire.immediate === true && wire.atMs === 0;
  });
}
