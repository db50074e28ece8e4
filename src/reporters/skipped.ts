// The lines that keep a run from reading as PASS when it checked less than it might have: the
// scenario expectations it skipped, and a verdict for a run that checked nothing at all.
import type { SkippedExpectation } from "../types.js";

/** The verdict of a run with no expectation to check: never "PASS". */
export const NOTHING_CHECKED = "no expectations checked";

/**
 * "3 scenario expectations skipped: they are about idle and writer", or with `when:` entries
 * "2 scenario expectations skipped: 1 about idle; 1 only for keepalive on". Empty when none.
 */
export function skippedSummary(skipped: SkippedExpectation[]): string {
  if (skipped.length === 0) return "";
  const noun = skipped.length === 1 ? "expectation" : "expectations";
  const head = `${skipped.length} scenario ${noun} skipped: `;
  const about = skipped.map((s) => ABOUT.exec(s.reason)?.[1]).filter((c) => c !== undefined);
  const names = andList([...new Set(about)]);
  if (about.length === skipped.length) {
    return `${head}${skipped.length === 1 ? "it is" : "they are"} about ${names}`;
  }
  const conditions = new Map<string, number>();
  for (const s of skipped) {
    if (ABOUT.test(s.reason)) continue;
    const only = s.reason.replace(/^applies only with /, "only for ");
    conditions.set(only, (conditions.get(only) ?? 0) + 1);
  }
  const parts = [
    ...(about.length ? [`${about.length} about ${names}`] : []),
    ...[...conditions].map(([only, n]) => `${n} ${only}`),
  ];
  return `${head}${parts.join("; ")}`;
}

const ABOUT = /^about (.+), which this run does not watch$/;

function andList(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
