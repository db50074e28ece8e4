// At scale (--connections N), a group of connections is reported as the distribution of its
// detection times (min, median, p99, max and a small histogram), not as N timelines.
import type { ConnectionReport, Distribution } from "../types.js";

const BINS = 10;

/** connects: the members' connect times (ms), when their events are no longer at hand. */
export function distribution(
  group: string,
  members: ConnectionReport[],
  connects = connectTimes(members),
): Distribution {
  const counts = new Map<string, number>();
  for (const c of members) {
    const outcome = c.firstFailure ? `${c.firstFailure.call} ${c.firstFailure.result}` : "none";
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  }
  const outcome = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "none";
  const times = members
    .flatMap((c) => (c.firstFailure ? [c.firstFailure.afterMs] : []))
    .sort((a, b) => a - b);
  // Each connection has its own prediction (its own last activity): compare one by one.
  const errors = members
    .flatMap((c) =>
      c.firstFailure && c.predicted?.afterMs != null
        ? [c.firstFailure.afterMs - c.predicted.afterMs]
        : [],
    )
    .sort((a, b) => a - b);
  return {
    group,
    count: members.length,
    detected: times.length,
    outcome,
    minMs: times[0] ?? null,
    medianMs: quantile(times, 0.5),
    p99Ms: quantile(times, 0.99),
    maxMs: times.at(-1) ?? null,
    predicted: members[0]?.predicted ?? null,
    // Over |error|, so that early detections count as much as late ones; both tails as well.
    p99ErrorMs: round1(
      quantile(
        errors.map(Math.abs).sort((a, b) => a - b),
        0.99,
      ),
    ),
    errorTailsMs: errors.length
      ? { early: round1(quantile(errors, 0.01)), late: round1(quantile(errors, 0.99)) }
      : null,
    connectSpreadMs: connects.length ? round1(Math.max(...connects) - Math.min(...connects)) : null,
    histogram: histogram(times),
  };
}

function connectTimes(members: ConnectionReport[]): number[] {
  return members.flatMap((c) => c.events.filter((e) => e.call === "connect").map((e) => e.tMs));
}

function round1(v: number | null): number | null {
  return v === null ? null : Math.round(v * 10) / 10;
}

/** The q-quantile of sorted values (nearest rank), or null when there are none. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Ten equal bins from the smallest to the largest value. */
export function histogram(sorted: number[]): { fromMs: number; toMs: number; count: number }[] {
  if (sorted.length === 0) return [];
  const lo = sorted[0];
  const hi = sorted[sorted.length - 1];
  const width = Math.max((hi - lo) / BINS, 0.1);
  const bins = Array.from({ length: BINS }, (_, i) => ({
    fromMs: Math.round((lo + i * width) * 10) / 10,
    toMs: Math.round((lo + (i + 1) * width) * 10) / 10,
    count: 0,
  }));
  for (const v of sorted) bins[Math.min(BINS - 1, Math.floor((v - lo) / width))].count++;
  return bins;
}

/** A text histogram: one line per bin, a bar of up to 40 characters. */
