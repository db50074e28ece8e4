// Section 3 of BENCHMARKS.md: `tcpdrop run all` against its longest scenario and against the CPU
// it cost before issue 15 (bench/suite.mjs's figures and the recorded baseline).
import { cpuBudgetS } from "./baseline.mjs";
import { dataOf, fmt, opening, placeholder, statCells, table, verdict } from "./report-format.mjs";

export const SUITE_HEADING = "## 3. The suite: `run all`";

export function suiteText(r) {
  const head = opening(r, SUITE_HEADING, ["suite"]);
  if (!head) return placeholder(r, SUITE_HEADING, "suite");
  const x = dataOf(r, "suite");
  const b = x.baseline;
  const budget = b ? cpuBudgetS(b) : Number.NaN;
  const longestNames = [...new Set(x.longest.map((l) => l.name))].join(", ");
  const rows = [
    ["wall", ...statCells(x.wall, 2)],
    ["CPU, user + sys", ...statCells(x.cpu, 2)],
    ["  user", ...statCells(x.user, 2)],
    ["  sys", ...statCells(x.sys, 2)],
    ["wall / longest run in the batch (x)", ...statCells(x.ratio, 2)],
  ];
  if (b) {
    rows.push(
      [`before issue 15 (${b.commit}): wall`, ...statCells(b.wall, 2)],
      [`before issue 15 (${b.commit}): CPU, user + sys`, ...statCells(b.cpu, 2)],
      [`before issue 15 (${b.commit}):   user`, ...statCells(b.user, 2)],
      [`before issue 15 (${b.commit}):   sys`, ...statCells(b.sys, 2)],
    );
  }
  return [
    head,
    `\`${x.command}\` (${x.scenarios} scenarios, the default window${x.parallel ? ` and --parallel ${x.parallel}` : ""}), ${x.reps} time(s), each a whole`,
    "process tree (bench/tree-time.mjs). The longest run in each batch:",
    `${x.longest.map((l) => `${l.name} ${fmt(l.durationS, 2)} s`).join("; ")} (its report's durationMs).`,
    "",
    table(["s", "n", "min", "median", "max"], rows),
    "",
    `Wall: ${fmt(x.ratio.median, 2)}x the longest run in the same batch (${longestNames}); target <= 1.15x: ${verdict(x.ratio.median <= 1.15)}.`,
    b
      ? `CPU: ${fmt(x.cpu.median, 2)} s against a budget of ${fmt(budget, 2)} s (2x / 3 of the ${fmt(b.cpu.median, 2)} s recorded at ${b.commit}): ${verdict(x.cpu.median <= budget)}.`
      : "CPU: no baseline recorded (bench/baseline.json); `node bench/baseline.mjs --root DIR` measures one.",
    b ? baselineNote(b) : "",
    "",
    "Each scenario's own time inside the suite (its report's durationMs, s; lab build to report):",
    "",
    table(
      ["scenario", "n", "min", "median", "max"],
      Object.entries(x.inSuite)
        .sort((p, q) => q[1].median - p[1].median)
        .map(([name, d]) => [name, ...statCells(d, 2)]),
    ),
    x.failed.length ? `\nFailed their checks inside the suite: ${x.failed.join(", ")}.` : "",
    x.notes.length ? `\nRetried: ${x.notes.join("; ")}.` : "",
    "",
  ]
    .filter((line, i, lines) => line !== "" || lines[i - 1] !== "")
    .join("\n");
}

function baselineNote(b) {
  const i = b.issueFigure;
  return [
    "",
    `The baseline was measured on ${b.date.slice(0, 10)} from a checkout of ${b.commit} ("${b.subject}")`,
    `with \`${b.measuredWith}\` (${b.reps} runs of \`${b.command}\`, load average ${b.machine.load.split(" ").slice(0, 3).join(" ")}`,
    `at the end) and is kept in bench/baseline.json; the issue states ${i.cpuS} s CPU (${i.userS} user + ${i.sysS} sys)`,
    `and ${i.wallS} s wall for the same commit.`,
  ].join("\n");
}
