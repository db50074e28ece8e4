// The fixed rhythm of every run: how long the connections live before the fault (--pre-fault),
// how far apart the follow-up calls after a first failure are (--follow-up-gap), and how often
// the writer sends. explain uses the same numbers to predict what a run will measure.
import { FOLLOW_UP_GAP_MS } from "../defaults.js";
import type { Workload } from "../protocol.js";
import type { Settings } from "../types.js";

/**
 * --pre-fault when not given: how long the connections run at least before the fault (then
 * until the server has read all that was sent: runner/settle.ts). 50 ms puts the writer's
 * sends where 250 ms put them (one 50 ms before the fault, the next 150 ms after it), so every
 * timer that counts from them (a retransmission meeting crash-reboot's reboot) is unchanged;
 * docs/phases.md has the measurements.
 */
export const PRE_FAULT_MS = 50;
/**
 * --pre-fault when not given, in a local lab, one connection each, tcpdrop's own programs,
 * where nothing on a schedule from the connect can meet the fault: the watched sockets send
 * nothing of their own (idle, poll and tcp-info without keepalive: --detect recv, poll,
 * tcp-info), or the fault reaches every one of them at once (a FIN or a RST at t=0: peer-close,
 * peer-kill, half-close...), long before a writer's next send or a keepalive probe. The fault
 * then comes as soon as every connection is up, accepted and read (runner/settle.ts).
 * docs/phases.md has the measurements.
 */
export const QUIET_PRE_FAULT_MS = 0;
/** The writer sends a small message this often (the workload, not overhead: not a setting). */
export const WRITER_INTERVAL_MS = 200;

/** The two fixed phases of a run that are not the kernel's own time, with their defaults. */
export function phases(settings: Pick<Settings, "preFaultMs" | "followUpGapMs">): {
  preFaultMs: number;
  followUpGapMs: number;
} {
  return {
    preFaultMs: settings.preFaultMs ?? PRE_FAULT_MS,
    followUpGapMs: settings.followUpGapMs ?? FOLLOW_UP_GAP_MS,
  };
}

/** Workloads that send nothing on a schedule of their own (without keepalive). */
const QUIET: readonly Workload[] = ["idle", "poll", "tcp-info"];

/**
 * The --pre-fault default for a run watching these connections (QUIET_PRE_FAULT_MS says when).
 * `atOnce`: the fault's wire effect is immediate for every one of them, and its injection does
 * not wait for their sends.
 */
export function defaultPreFaultMs(
  watched: readonly { workload: Workload; settings: Pick<Settings, "keepalive"> }[],
  settings: Pick<Settings, "remote" | "programs" | "connections">,
  atOnce: boolean,
): number {
  const plain = !settings.remote && !settings.programs && (settings.connections ?? 1) === 1;
  const quiet = watched.every((w) => QUIET.includes(w.workload) && w.settings.keepalive === null);
  return plain && (quiet || atOnce) ? QUIET_PRE_FAULT_MS : PRE_FAULT_MS;
}
