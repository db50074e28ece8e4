// Puts the socket calls into a packet trace: each call becomes a comment on the packet nearest
// to it in time (Wireshark shows packet comments; it has no place for an event without a
// packet), saying the call's own time relative to that packet so nothing is blurred.

export interface CallNote {
  /** CLOCK_MONOTONIC ms, like the packets' tMonoMs. */
  tMonoMs: number;
  side: string;
  conn: string;
  call: string;
  result: string;
  detail?: string;
}

/** Index of the packet nearest to `t` in `times` (sorted ascending); -1 when there are none. */
export function nearestIndex(times: number[], t: number): number {
  if (times.length === 0) return -1;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && t - times[lo - 1] <= times[lo] - t) return lo - 1;
  return lo;
}

/**
 * Comments per packet index for the calls; `faultMonoMs` (t=0) makes the times read like the
 * report's. Calls with no packet at all come back under index -1.
 */
export function callComments(
  packetTimesMs: number[],
  calls: CallNote[],
  faultMonoMs: number,
): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const c of [...calls].sort((a, b) => a.tMonoMs - b.tMonoMs)) {
    const i = nearestIndex(packetTimesMs, c.tMonoMs);
    const rel = i < 0 ? "" : ` (${relative(c.tMonoMs - packetTimesMs[i])} this packet)`;
    const at = signed(c.tMonoMs - faultMonoMs);
    const detail = c.detail ? ` ${c.detail}` : "";
    const text = `tcpdrop ${at} ms ${c.side} ${c.conn}: ${c.call} ${c.result}${detail}${rel}`;
    const list = out.get(i) ?? [];
    list.push(text);
    out.set(i, list);
  }
  return out;
}

function signed(ms: number): string {
  return `${ms < 0 ? "-" : "+"}${Math.abs(ms).toFixed(3)}`;
}

function relative(deltaMs: number): string {
  if (Math.abs(deltaMs) < 0.0005) return "at";
  const us = Math.abs(deltaMs * 1000).toFixed(0);
  return deltaMs > 0 ? `${us} µs after` : `${us} µs before`;
}
