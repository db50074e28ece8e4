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

/** A small deterministic generator (an LCG): the same modes for the same inputs. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * The ways a writer's run can end, most likely first. `limiter` makes a fresh limiter per
 * sampled run (it keeps state).
 */
export function icmpWriterModes(
  input: Omit<IcmpWriterInput, "limiter" | "delay">,
  limiter: () => (atMs: number) => IcmpFate,
): IcmpMode[] {
  const random = seeded(0x7c9d);
  const delay = (ms: number, hz: number) => {
    const jiffies = msToJiffies(ms, hz);
    const gran = wheelGranularity(wheelLevel(jiffies));
    return jiffiesToMs(jiffies + Math.floor(random() * gran), hz);
  };
  const runs = Array.from({ length: SAMPLES }, () =>
    simulateIcmpWriter({ ...input, limiter: limiter(), delay }),
  ).sort((a, b) => a.atMs - b.atMs);
  const modes: IcmpWriterOutcome[][] = [];
  for (const run of runs) {
    const last = modes.at(-1);
    if (last && run.atMs - last[0].atMs <= last[0].atMs * SAME_MODE) last.push(run);
    else modes.push([run]);
  }
  return modes
    .map((group) => {
      const mid = group[Math.floor(group.length / 2)];
      return { atMs: mid.atMs, share: group.length / SAMPLES, example: mid };
    })
    .sort((a, b) => b.share - a.share);
}
