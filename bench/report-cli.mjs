// Section 5 of BENCHMARKS.md: the CLI's start-up against bare node (bench/cli.mjs's figures), the
// import cost of its modules when measured (--only imports), and the cold start of `run`.
import { coldStartRow } from "./cold-start.mjs";
import { dataOf, fmt, opening, placeholder, statCells, table, verdict } from "./report-format.mjs";

export const CLI_HEADING = "## 5. CLI start-up";

export function cliText(r) {
  const head = opening(r, CLI_HEADING, ["cli", "imports", "coldstart"]);
  const cli = dataOf(r, "cli");
  if (!head || !cli) return placeholder(r, CLI_HEADING, "cli");
  const [bare, help, list] = cli;
  const helpDelta = help.wall.median - bare.wall.median;
  const listDelta = list.wall.median - bare.wall.median;
  const imports = dataOf(r, "imports");
  const [, coldFigure, coldTarget, coldVerdict] = coldStartRow(dataOf(r, "coldstart"));
  return [
    head,
    table(
      ["ms", "n", "min", "median", "max", "over `node -e 0`"],
      cli.map((c, i) => [
        c.label,
        ...statCells(c.wall),
        i === 0 ? "" : `+${fmt(c.wall.median - bare.wall.median)}`,
      ]),
    ),
    "",
    `Target +40 ms (no regression): ${verdict(helpDelta <= 40 && listDelta <= 40)} (\`--help\` +${fmt(helpDelta)} ms, \`list\` +${fmt(listDelta)} ms).`,
    `Cold start for \`run\` (issue 15, ${coldTarget}; bench/cold-start.mjs): ${coldFigure}${coldVerdict ? ` ${coldVerdict}` : ""}.`,
    "",
    ...(imports
      ? [
          "Where it goes: each module's import time inside a fresh node (`performance.now()` around",
          "`await import()`, so node's own start-up is excluded). Modules share dependencies, so the",
          "rows overlap and do not add up (`npm run bench -- --only imports`):",
          "",
          table(
            ["import", "n", "min", "median", "max"],
            imports.map((m) => [
              m.agentsOnly ? `${m.label} (agents only; the CLI does not load it)` : m.label,
              ...statCells(m.ms),
            ]),
          ),
          "",
        ]
      : []),
  ].join("\n");
}
