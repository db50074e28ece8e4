// The human report at scale (--connections N): per group of connections, the distribution of
// detection times and a small text histogram, instead of thousands of timelines.
import type { ChalkInstance } from "chalk";
import Table from "cli-table3";
import type { Distribution, RunReport } from "../types.js";
import { renderHistogram } from "./histogram.js";

const ms = (v: number | null) => (v === null ? "—" : `${v.toFixed(1)} ms`);

function predictedText(d: Distribution): string {
  const p = d.predicted;
  if (!p) return "—";
  if (p.result === null || p.afterMs === null) return "never";
  return `${p.result} at ${p.afterMs.toFixed(1)} ms`;
}

export function renderDistributions(run: RunReport, c: ChalkInstance): string {
  const dists = run.distributions ?? [];
  const table = new Table({
    head: [
      "group",
      "connections",
      "set up in",
      "detected",
      "first failure",
      "min",
      "median",
      "p99",
      "max",
      "p99 |error|",
    ],
    style: { head: [], border: [], compact: true },
  });
  for (const d of dists) {
    const error =
      d.p99ErrorMs === null
        ? predictedText(d)
        : `${ms(d.p99ErrorMs)} (${signed(d.errorTailsMs?.early)} .. ${signed(d.errorTailsMs?.late)})`;
    table.push([
      d.group,
      d.count,
      ms(d.connectSpreadMs),
      d.detected,
      d.outcome,
      ms(d.minMs),
      ms(d.medianMs),
      ms(d.p99Ms),
      ms(d.maxMs),
      error,
    ]);
  }
  const histograms = dists.flatMap((d) =>
    d.detected === 0
      ? [
          c.bold(
            `${d.group}: none of ${d.count} connections detected anything within ${run.settings.windowS} s`,
          ),
        ]
      : [c.bold(`${d.group}: detection times after the fault`), ...renderHistogram(d), ""],
  );
  return [...histograms, table.toString()].join("\n");
}

/** The one-line answer at scale. */
export function scaleAnswer(run: RunReport): string {
  const parts = (run.distributions ?? []).map((d) =>
    d.detected === 0
      ? `${d.group}: none of ${d.count} detected within ${run.settings.windowS} s`
      : `${d.group}: ${d.detected} of ${d.count} got ${d.outcome}, median ${ms(d.medianMs)}, p99 ${ms(d.p99Ms)}`,
  );
  return `answer: ${parts.join("; ")}`;
}

/** An error with its sign: +12.0, -3.5. */
function signed(v: number | null | undefined): string {
  if (v === null || v === undefined) return "-";
  return `${v >= 0 ? "+" : ""}${ms(v)}`;
}
