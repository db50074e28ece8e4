// When the router's limiter decides by a few jiffies, a run can end in one of two ways.
//
// Measured: host/net-unreachable with tcp_retries2 4 on a stock router ends either at ~8.5 s or
// at ~6.8 s (2 of 12 runs). The 5th RTO retransmission comes ~5.0 s after the first ICMP, and
// the router's bucket then holds 2 s of tokens, give or take the timer wheel's rounding: if it
// is answered, its revert re-arms the timer so that it gives up one doubling earlier.
// The timer wheel rounds each expiry up to its level's granule, wherever the expiry falls
// (jiffies.ts), so the delays are sampled here: each timer fires between its expiry and one
// granule later, uniformly, with a fixed seed so that the prediction is reproducible.

import type { IcmpFate } from "./icmp-ratelimit.js";
import type { IcmpWriterInput, IcmpWriterOutcome } from "./icmp-revert.js";
import { simulateIcmpWriter } from "./icmp-revert.js";
import { jiffiesToMs, msToJiffies, wheelGranularity, wheelLevel } from "./jiffies.js";

const SAMPLES = 200;
/** Outcomes closer than this share (10 %) are one mode. */
const SAME_MODE = 0.1;

export interface IcmpMode {
  /** The median end time of the runs in this mode (ms from the fault). */
  atMs: number;
  /** Share of the sampled runs that end this way (0..1). */
  share: number;
  /** One sampled run of this mode, for its story. */
  example: IcmpWriterOutcome;
}

/** A small deterministic generator (an LCG) started at `state`: the same modes for the same
 * inputs, and a sampled run replayed from the state it started at. */
function seeded(state: number): { next: () => number; state: () => number } {
  let s = state >>> 0;
  return {
    next: () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    },
    state: () => s,
  };
}

/** Timer delays as the wheel rounds them, each somewhere in its granule by `random`. */
function sampledDelay(random: () => number): (ms: number, hz: number) => number {
  return (ms, hz) => {
    const jiffies = msToJiffies(ms, hz);
    const gran = wheelGranularity(wheelLevel(jiffies));
    return jiffiesToMs(jiffies + Math.floor(random() * gran), hz);
  };
}

/**
 * The ways a writer's run can end, most likely first. `limiter` makes a fresh limiter per
 * sampled run (it keeps state).
 */
export function icmpWriterModes(input: WriterBasics, limiter: () => Limiter): IcmpMode[] {
  const sampling = sampledModes(input, limiter);
  for (;;) {
    const step = sampling.next();
    if (step.done) return step.value;
  }
}

/**
 * The same modes, worked out a few samples at a time with `pause()` between them, so that an
 * event loop that also stamps a run's calls is never held for more than a fraction of a ms.
 * Resolves with null if `stopped()` says so between two slices.
 */
export async function icmpWriterModesSliced(
  input: WriterBasics,
  limiter: () => Limiter,
  pause: () => Promise<void>,
  stopped: () => boolean,
): Promise<IcmpMode[] | null> {
  const sampling = sampledModes(input, limiter);
  for (let sampled = 1; ; sampled++) {
    const step = sampling.next();
    if (step.done) return step.value;
    if (sampled % SAMPLES_PER_SLICE === 0) {
      await pause();
      if (stopped()) return null;
    }
  }
}

/** Samples worked out between two pauses (each is one simulated run of the writer). */
const SAMPLES_PER_SLICE = 4;

type WriterBasics = Omit<IcmpWriterInput, "limiter" | "delay">;
type Limiter = (atMs: number) => IcmpFate;

/** The sampling itself, one sampled run per step; returns the modes. */
function* sampledModes(input: WriterBasics, limiter: () => Limiter): Generator<void, IcmpMode[]> {
  const random = seeded(0x7c9d);
  // Each sample keeps only its end and the generator's state at its start; the run shown as a
  // mode's example is replayed from that state with its segments.
  const runs: { atMs: number; from: number }[] = [];
  for (let n = 0; n < SAMPLES; n++) {
    const from = random.state();
    const delay = sampledDelay(random.next);
    const end = simulateIcmpWriter({ ...input, limiter: limiter(), delay, record: false });
    runs.push({ atMs: end.atMs, from });
    yield;
  }
  runs.sort((a, b) => a.atMs - b.atMs);
  const modes: (typeof runs)[] = [];
  for (const run of runs) {
    const last = modes.at(-1);
    if (last && run.atMs - last[0].atMs <= last[0].atMs * SAME_MODE) last.push(run);
    else modes.push([run]);
  }
  return modes
    .map((group) => {
      const mid = group[Math.floor(group.length / 2)];
      const delay = sampledDelay(seeded(mid.from).next);
      const example = simulateIcmpWriter({ ...input, limiter: limiter(), delay });
      return { atMs: mid.atMs, share: group.length / SAMPLES, example };
    })
    .sort((a, b) => b.share - a.share);
}
