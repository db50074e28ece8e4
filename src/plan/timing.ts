// The fixed rhythm of every run: how long the connections live before the fault (--pre-fault),
// how far apart the follow-up calls after a first failure are (--follow-up-gap), and how often
// the writer sends. explain uses the same numbers to predict what a run will measure.
import { FOLLOW_UP_GAP_MS } from "../defaults.js";
import type { Settings } from "../types.js";

/**
 * --pre-fault when not given: how long the connections run at least before the fault (then
 * until the server has read all that was sent: runner/settle.ts). 50 ms puts the writer's
 * sends where 250 ms put them (one 50 ms before the fault, the next 150 ms after it), so every
 * timer that counts from them (a retransmission meeting crash-reboot's reboot) is unchanged;
 * docs/phases.md has the measurements.
 */
export const PRE_FAULT_MS = 50;
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
