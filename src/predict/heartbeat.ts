// An application heartbeat: a ping when the connection is up, the next one G ms later (the
// first gap: P, or less to keep the beat against the fault, plan/timing.ts), then one every
// P ms, each answered by the peer; a tick that finds the previous ping unanswered is a miss,
// and N misses in a row declare the peer DEAD. The prediction takes the connection's start
// (measured: when connect() returned) and the settings; the ping times and the DEAD time are
// computed, never read back from the heartbeat's own events.
import { round1 } from "./basis.js";

export interface HeartbeatInput {
  /** When the connection was up and the first ping went out (ms from the fault, <= 0). */
  startMs: number;
  intervalMs: number;
  /** From the first ping to the second (ms); absent: intervalMs. */
  firstGapMs?: number;
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

/** The k-th ping (k = 0 at the start): at start, then start + G, then every P. */
export function pingAt(opts: Omit<HeartbeatInput, "misses">, k: number): number {
  const gap = opts.firstGapMs ?? opts.intervalMs;
  return k === 0 ? opts.startMs : opts.startMs + gap + (k - 1) * opts.intervalMs;
}

/** The pings from the start up to endMs (ms from the fault). */
export function pingTimes(opts: Omit<HeartbeatInput, "misses">, endMs: number): number[] {
  const out: number[] = [];
  for (let k = 0, t = opts.startMs; t <= endMs; t = pingAt(opts, ++k)) out.push(t);
  return out;
}

/** The first ping at or after the silence is lost (the start's: after it); DEAD N ticks later. */
export function heartbeatDead(opts: HeartbeatInput): HeartbeatOutcome {
  const { startMs, intervalMs, misses } = opts;
  const gap = opts.firstGapMs ?? intervalMs;
  const silentFromMs = opts.silentFromMs ?? 0;
  // The ping at the start goes out as the handshake completes: lost only if the peer was
  // silent before it (a peer silent at that very moment had just answered the handshake).
  const k =
    silentFromMs < startMs
      ? 0
      : 1 + Math.max(0, Math.ceil((silentFromMs - startMs - gap) / intervalMs - 1e-9));
  return { firstUnansweredMs: pingAt(opts, k), deadMs: pingAt(opts, k + misses) };
}

export function heartbeatBasis(opts: HeartbeatInput, outcome: HeartbeatOutcome): string {
  return (
    `${rhythm(opts)} from the connection's start (measured: connect returned ` +
    `at ${round1(opts.startMs)} ms); computed: the first ping after ${silence(opts)} at ` +
    `${round1(outcome.firstUnansweredMs)} ms and ${opts.misses} unanswered ticks after it`
  );
}

function rhythm(opts: HeartbeatInput): string {
  const gap = opts.firstGapMs ?? opts.intervalMs;
  if (gap === opts.intervalMs) return `a ping every ${opts.intervalMs} ms`;
  return `a ping, the next ${gap} ms later, then one every ${opts.intervalMs} ms,`;
}

function silence(opts: HeartbeatInput): string {
  const from = opts.silentFromMs ?? 0;
  return from === 0 ? "the fault" : `the peer falls silent (${round1(from)} ms)`;
}
