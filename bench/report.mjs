// BENCHMARKS.md from the bench's figures (bench/results.json): the machine, the targets table, then
// one section per measurement, each rendered by its own module, and the closing notes. Every number
// comes from a measured figure; the prose only picks between met and not met. A section that has
// no figures says how to measure it.

import { CAPTURE_HEADING, captureText } from "./capture-report.mjs";
import { PROGRAM_HEADING, programOverheadText } from "./program-overhead.mjs";
import { answerText } from "./report-answer.mjs";
import { cliText } from "./report-cli.mjs";
import { fidelityText } from "./report-fidelity.mjs";
import { dataOf, fmt, opening, placeholder, table } from "./report-format.mjs";
import { labText } from "./report-lab.mjs";
import { memoryText } from "./report-memory.mjs";
import { changesText, conditionsText } from "./report-notes.mjs";
import { overheadText } from "./report-overhead.mjs";
import { scaleText } from "./report-scale.mjs";
import { suiteText } from "./report-suite.mjs";
import { targetsText } from "./report-targets.mjs";

export function render(r) {
  return [
    "# Benchmarks",
    "",
    ...(r.label ? [`**Figures: ${r.label}.**`, ""] : []),
    `Written by \`${r.command}\` (bench/run.mjs) on ${r.info.date}; \`sudo npm run bench\``,
    "refreshes every figure below except sections 9 and 10 (`-- --only capture,program` or",
    "`-- --all`). Each figure is a median; competing variants are measured in alternating rounds",
    "of the same run (after discarded warm-up rounds) so that they share the machine. The bench",
    "measures a private copy of dist/ (with bin/, scenarios/, package.json) taken at its start, so",
    "a rebuild during the run cannot mix two builds. `-- --only LIST` measures some sections and",
    "keeps the others' figures (bench/results.json); bench/run.mjs's header lists the options.",
    "",
    table(
      ["machine", ""],
      [
        ["nproc", r.info.nproc],
        ["CPU", r.info.cpu],
        ["memory", r.info.memory],
        ["kernel", r.info.kernel],
        ["node", r.info.node],
        ["date", r.info.date],
        ["load average at start", r.info.load],
        ["this run", `${fmt(r.totalS, 0)} s: ${r.sectionsRun.join(", ")}`],
        ["commit", r.info.commit ?? "?"],
        [
          "dist/ vs src/",
          r.info.staleDist.length
            ? `**stale**: ${r.info.staleDist.length} src files newer than dist (${r.info.staleDist.slice(0, 3).join(", ")}…): run \`npm run build\``
            : "up to date",
        ],
      ],
    ),
    "",
    targetsText(r),
    answerText(r),
    overheadText(r),
    suiteText(r),
    labText(r),
    cliText(r),
    fidelityText(r),
    memoryText(r),
    scaleText(r),
    section(r, CAPTURE_HEADING, "capture", () =>
      captureText({ ...dataOf(r, "capture"), nproc: r.info.nproc }),
    ),
    section(r, PROGRAM_HEADING, "program", () =>
      programOverheadText({ program: dataOf(r, "program") }),
    ),
    changesText(r),
    conditionsText(r),
  ].join("\n");
}

/** A section whose text module writes its own heading: the earlier-run note goes after it. */
function section(r, heading, name, text) {
  const head = opening(r, heading, [name]);
  if (!head) return placeholder(r, heading, name);
  const body = text();
  const note = head.slice(heading.length).trim();
  return note ? body.replace(`${heading}\n`, `${heading}\n\n${note}\n`) : body;
}
