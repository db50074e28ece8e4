// A group's detection times as a text histogram: one bar per bucket, the tallest 40 wide.
import type { Distribution } from "../types.js";

export function renderHistogram(d: Distribution): string[] {
  const peak = Math.max(1, ...d.histogram.map((b) => b.count));
  return d.histogram.map((b) => {
    const bar = "█".repeat(Math.round((b.count / peak) * 40));
    return `  ${b.fromMs.toFixed(1).padStart(9)} – ${b.toMs.toFixed(1).padStart(9)} ms  ${String(b.count).padStart(6)} ${bar}`;
  });
}
