// strace stamps each call with CLOCK_REALTIME; every tcpdrop event is CLOCK_MONOTONIC ms. The
// two clocks are sampled together once per run and the difference maps one onto the other.
// Node's realtime clock (Date.now) has whole milliseconds only, so the sample is taken at the
// instant Date.now ticks to its next millisecond: at that instant realtime is exactly that
// value, give or take one turn of the loop (well under a microsecond).
import { nowMs } from "../clock.js";

/** CLOCK_REALTIME minus CLOCK_MONOTONIC, in ms (the median of a few samples, ~1 ms each). */
export function realMinusMonoMs(samples = 3): number {
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
  offsets.sort((a, b) => a - b);
  return offsets[Math.floor(offsets.length / 2)];
}
