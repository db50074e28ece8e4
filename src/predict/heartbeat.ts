// An application heartbeat: a ping every P ms from the moment the connection is up, each
// answered by the peer; a tick that finds the previous ping unanswered is a miss, and N misses
// in a row declare the peer DEAD. The prediction takes the connection's start (measured: when
// connect() returned) and the settings; the ping times and the DEAD time are computed, never
// read back from the heartbeat's own events.
import { round1 } from "./basis.js";

export interface HeartbeatInput {
  /** When the connection was up and the first ping went out (ms from the fault, <= 0). */
  startMs: number;
  intervalMs: number;
  misses: number;
  /** When the peer stops answering (ms from the fault); 0 when not given: at the fault. */
  silentFromMs?: number;
}

export interface HeartbeatOutcome {
  /** The first ping sent at or after the fault: nobody answers it (ms from the fault). */
  firstUnansweredMs: number;
  /** The tick that counts the N-th miss (ms from the fault). */
  deadMs: number;
}

/** Pings at start + k x P; the first one at or after the silence is lost; DEAD N ticks later. */
export function heartbeatDead(opts: HeartbeatInput): HeartbeatOutcome {
  const { startMs, intervalMs, misses } = opts;
  const silentFromMs = opts.silentFromMs ?? 0;
  const k = Math.max(0, Math.ceil((silentFromMs - startMs) / intervalMs - 1e-9));
  const firstUnansweredMs = startMs + k * intervalMs;
  return { firstUnansweredMs, deadMs: firstUnansweredMs + misses * intervalMs };
}

export function heartbeatBasis(opts: HeartbeatInput, outcome: HeartbeatOutcome): string {
  return (
    `a ping every ${opts.intervalMs} ms from the connection's start (measured: connect returned ` +
    `at ${round1(opts.startMs)} ms); computed: the first ping after ${silence(opts)} at ` +
    `${round1(outcome.firstUnansweredMs)} ms and ${opts.misses} unanswered ticks after it`
  );
}

function silence(opts: HeartbeatInput): string {
  const from = opts.silentFromMs ?? 0;
  return from === 0 ? "the fault" : `the peer falls silent (${round1(from)} ms)`;
}
