// strace stamps each call with CLOCK_REALTIME; every tcpdrop event is CLOCK_MONOTONIC ms. The
// two clocks are sampled together once per run and the difference maps one onto the other.
// Node's realtime clock (Date.now) has whole milliseconds only, so the sample is taken at the
// instant Date.now ticks to its next millisecond: at that instant realtime is exactly that
// value, give or take one turn of the loop (well under a microsecond). A sample the scheduler
// interrupts between the two reads comes out too large by the interruption (milliseconds on a
// busy machine), one interrupted before them at most 1 ms too small: so the smallest is kept.
import { nowMs } from "../clock.js";

/** CLOCK_REALTIME minus CLOCK_MONOTONIC, in ms (the smallest of a few samples, ~1 ms each). */
export function realMinusMonoMs(samples = 5): number {
  const offsets: number[] = [];
  for (let i = 0; i < samples; i++) {
    const before = Date.now();
    let real = before;
    let mono = 0;
    while (real === before) {
      mono = nowMs();
      real = Date.now();
    }
    offsets.push(real - mono);
  }
  return Math.min(...offsets);
}
