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
 * where nothing on a clock from the connect can meet the fault: every watched socket sends
 * nothing of its own (idle, poll, tcp-info and pooled without keepalive) or keeps its beat
 * against the fault (a writer, an urgent byte, a heartbeat: firstGapMs), or the fault reaches
 * every one of them at once (a FIN or a RST at t=0: peer-close, peer-kill, half-close...). The
 * fault then comes as soon as every connection is up, accepted and read (runner/settle.ts).
 * docs/phases.md has the measurements.
 */
export const QUIET_PRE_FAULT_MS = 0;
/** The writer sends a small message this often (the workload, not overhead: not a setting). */
export const WRITER_INTERVAL_MS = 200;

/**
 * From a writer's (an urgent byte's, a heartbeat's) first send, at its connect, to its second,
 * for one every intervalMs. A pre-fault shorter than PRE_FAULT_MS does not move the beat: the
 * second send comes that much sooner (modulo the interval), so the sends after the fault fall
 * where the default puts them (a writer's at +150, +350... ms; a heartbeat's pings at +450,
 * +950...), and so does every timer that counts from them. A longer one leaves the rhythm
 * from the connect as it is.
 */
export function firstGapMs(preFaultMs: number, intervalMs = WRITER_INTERVAL_MS): number {
  const early = Math.max(0, PRE_FAULT_MS - preFaultMs);
  const gap = (((intervalMs - early) % intervalMs) + intervalMs) % intervalMs;
  return gap === 0 ? intervalMs : gap;
}

/**
 * The writer's sends against the fault for a pre-fault: its last one at or before t=0 and its
 * first one after (the first its peer may leave unacknowledged).
 */
export function writerBeats(preFaultMs: number): { lastBeforeMs: number; firstAfterMs: number } {
  const gap = firstGapMs(preFaultMs);
  // (0 - x, not -x: no -0 when the send is at the fault)
  if (gap > preFaultMs) return { lastBeforeMs: 0 - preFaultMs, firstAfterMs: gap - preFaultMs };
  const lastBeforeMs = 0 - ((preFaultMs - gap) % WRITER_INTERVAL_MS);
  return { lastBeforeMs, firstAfterMs: lastBeforeMs + WRITER_INTERVAL_MS };
}

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

/**
 * Workloads that send nothing on a schedule of their own (without keepalive). A pooled
 * connection sends its one request requestAfterMs after its connect (3.5 s by default), and
 * the middleboxes' idle timers count from that connect too: with the fault sooner they all
 * keep their places against one another, and fall that much later against t=0.
 */
const QUIET: readonly Workload[] = ["idle", "poll", "tcp-info", "pooled"];
/** Workloads whose sends keep their place against the fault whatever the pre-fault (firstGapMs). */
export function onTheBeat(workload: Workload): boolean {
  return workload === "writer" || workload === "urgent" || workload === "heartbeat";
}

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
  // keepalive's idle time counts from the connect (a writer's data keeps it from firing)
  const quiet = watched.every(
    (w) => onTheBeat(w.workload) || (QUIET.includes(w.workload) && w.settings.keepalive === null),
  );
  return plain && (quiet || atOnce) ? QUIET_PRE_FAULT_MS : PRE_FAULT_MS;
}
