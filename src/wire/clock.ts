// The kernel stamps captured packets with CLOCK_REALTIME; the agents stamp socket calls with
// CLOCK_MONOTONIC (process.hrtime). This reads both clocks close together, several times,
// and keeps the tightest pair, so that a packet's time converts to the calls' clock with an
// error of about a microsecond (the width of the tightest bracket, reported as `errorNs`).
import koffi from "../agent/koffi.js";

const CLOCK_REALTIME = 0;
let clockGettime: ((clock: number, ts: Buffer) => number) | null = null;

function realtimeNs(ts: Buffer): bigint {
  if (!clockGettime) {
    const libc = koffi.load("libc.so.6");
    clockGettime = libc.func("int clock_gettime(int clock, _Out_ void *ts)");
  }
  if (clockGettime(CLOCK_REALTIME, ts) !== 0) throw new Error("clock_gettime failed");
  return ts.readBigInt64LE(0) * 1_000_000_000n + ts.readBigInt64LE(8);
}

export interface ClockPair {
  /** CLOCK_REALTIME minus CLOCK_MONOTONIC, in ns. */
  offsetNs: bigint;
  /** Half the width of the monotonic bracket around the realtime read. */
  errorNs: bigint;
}

/** Sample both clocks `tries` times; the pair with the narrowest bracket wins. */
export function sampleClocks(tries = 20): ClockPair {
  const ts = Buffer.alloc(16);
  realtimeNs(ts);
  let best: ClockPair | null = null;
  for (let i = 0; i < tries; i++) {
    const before = process.hrtime.bigint();
    const real = realtimeNs(ts);
    const after = process.hrtime.bigint();
    const errorNs = (after - before) / 2n;
    if (!best || errorNs < best.errorNs) best = { offsetNs: real - (before + errorNs), errorNs };
  }
  return best as ClockPair;
}

/** A CLOCK_REALTIME ns stamp as CLOCK_MONOTONIC ms (the events' clock). */
export function realtimeToMonotonicMs(tsNs: bigint, pair: ClockPair): number {
  return Number(tsNs - pair.offsetNs) / 1e6;
}
