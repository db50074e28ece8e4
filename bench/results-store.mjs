// The figures behind BENCHMARKS.md, kept as JSON (bench/results.json by default), so that a run of
// some sections (--only) replaces those and re-renders the file with every other section as it
// was measured before. Each section keeps when, at which commit and by which command it was
// measured, and the machine's load around it.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const RESULTS_VERSION = 2;

export function loadResults(file) {
  if (!file || !existsSync(file)) return null;
  try {
    const results = JSON.parse(readFileSync(file, "utf8"));
    return results.version === RESULTS_VERSION ? results : null;
  } catch {
    return null;
  }
}

/** This run's sections over the earlier ones; the header (machine, command) is this run's. */
export function mergeResults(earlier, run) {
  return {
    ...run,
    measured: { ...(earlier?.measured ?? {}), ...run.measured },
  };
}

export function saveResults(file, results) {
  writeFileSync(file, `${JSON.stringify(results, null, 1)}\n`);
}
