// Shared Markdown pieces for BENCHMARKS.md: tables, verdicts, units, and each section's opening
// (its heading, plus a line when its figures come from an earlier run than the file's header, or
// a placeholder when it has none). Every renderer of a section uses these.
import { fmt } from "./lib.mjs";

export { fmt };

export const mib = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(1)} MiB` : "—");

/** true -> met, false -> not met, null -> inconclusive, undefined -> no verdict (a reference). */
export const verdict = (ok) =>
  ok === undefined ? "" : ok === null ? "inconclusive" : ok ? "**met**" : "**not met**";

export const row = (cells) => `| ${cells.join(" | ")} |`;

export const table = (head, rows) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

/** n, min, median, max cells of a stats() object. */
export const statCells = (s, digits = 1) => [
  s.n,
  fmt(s.min, digits),
  fmt(s.median, digits),
  fmt(s.max, digits),
];

/** The data a section measured, or null. */
export const dataOf = (r, name) => r.measured?.[name]?.data ?? null;

/**
 * A section's heading and, when it was measured in an earlier run than the header's, when and
 * how. `names` are the sections it shows; null when none of them has figures (see placeholder).
 */
export function opening(r, heading, names) {
  const entries = names.map((n) => r.measured?.[n]).filter((m) => m?.data);
  if (!entries.length) return null;
  const earlier = entries.filter((m) => m.at !== r.info.date);
  const lines = [heading, ""];
  for (const m of earlier.slice(0, 1)) {
    lines.push(
      `*From an earlier run than this file's header: ${m.at} at ${m.commit}, \`${m.command}\`${m.label ? ` (${m.label})` : ""}.*`,
      "",
    );
  }
  return lines.join("\n");
}

/** The text of a section that has no figures: why, and the command that measures it. */
export function placeholder(r, heading, name) {
  const m = r.measured?.[name];
  const why = m?.error
    ? `The last run could not measure it (${m.at}): ${m.error.replace(/\.?$/, ".")}`
    : "Not measured yet.";
  return [heading, "", `${why} Measure it with \`npm run bench -- --only ${name}\`.`, ""].join(
    "\n",
  );
}
