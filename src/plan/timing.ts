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
 * --pre-fault when not given and no watched connection sends on a schedule (idle, poll and
 * tcp-info sockets without keepalive, in a local lab, one connection each, tcdrop's own
 * programs): the fault comes as soon as every connection is up and its server has accepted it
 * (runner/settle.ts). No timer of theirs counts from the connect, so nothing can land on
 * another phase's moment; docs/phases.md has the measurements.
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

/** The --pre-fault default for a run watching these connections (QUIET_PRE_FAULT_MS says when). */
export function defaultPreFaultMs(
  watched: readonly { workload: Workload; settings: Pick<Settings, "keepalive"> }[],
  settings: Pick<Settings, "remote" | "programs" | "connections">,
): number {
  const plain = !settings.remote && !settings.programs && (settings.connections ?? 1) === 1;
  const quiet = watched.every((w) => QUIET.includes(w.workload) && w.settings.keepalive === null);
  return plain && quiet ? QUIET_PRE_FAULT_MS : PRE_FAULT_MS;
}
