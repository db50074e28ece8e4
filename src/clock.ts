// The one clock: CLOCK_MONOTONIC in milliseconds. The agents stamp each call with it and the
// runner times the fault with it, so their times can be subtracted.

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
