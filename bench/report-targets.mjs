// The "Targets" section at the top of BENCHMARKS.md: issue 15's targets and the no-regression ones
// side by side (figure, target, met or not, from bench/targets.mjs), how to reproduce them, and
// the counting decisions the figures rest on.
import { OVERHEAD_WINDOW_S } from "./overhead.mjs";
import { table, verdict } from "./report-format.mjs";
import { targetRows } from "./targets.mjs";

export function targetsText(r) {
  const rows = targetRows(r);
  return [
    "## Targets (issue 15: answer in a quarter of a second)",
    "",
    "Medians; each row links to its section below. Reproduce this table alone with",
    "`sudo npm run bench -- --only targets` (about 6-7 minutes; `PACKETDRILL=/path/to/packetdrill`",
    "adds packetdrill's run, see section 1).",
    "",
    table(
      ["", "figure", "target", ""],
      rows.map((x) => [x.what, x.figure, x.target, x.verdictCell ?? verdict(x.met)]),
    ),
    "",
    "How the figures are counted (decisions, so that a later run measures the same thing):",
    "",
    "- **Wall and CPU** are those of the whole process tree, the way bash's `time` reports them",
    "  (bench/tree-time.mjs): wall from fork to exit; CPU = user + sys from",
    "  getrusage(RUSAGE_CHILDREN) after the command exits, which includes every descendant it",
    "  reaped (agents, `ip`, `nft`). packetdrill is timed the same way, in rounds alternating",
    "  with tcpdrop's.",
    "- **Overhead beyond the kernel's time** (section 2): each built-in scenario alone, as",
    "  `run NAME` runs it (one connection per workload, default settings), wall minus the",
    "  kernel's part from its JSON report: the latest of its watched connections' first",
    "  failures (`firstFailure.afterMs`; the run cannot end before every watched connection has",
    "  failed). **A connection that never fails inside the window is counted up to the window's",
    "  end**: the run waits the whole window for it, so wall - window end is what tcpdrop adds.",
    `  The window is ${OVERHEAD_WINDOW_S} s rather than the default 10 s: it holds every failure a default run`,
    "  sees, and the overhead does not depend on it (section 2 flags a failure near its end).",
    "- **Suite against its longest scenario** (section 3): the longest run *in the same batch*,",
    "  i.e. the largest `durationMs` in that `run all` report (lab build to report), so the ratio",
    "  is what the suite adds beyond its slowest member under the same load; each repetition",
    "  gives a ratio and the figure is their median. Section 2's runs alone are shown beside.",
    "- **Suite CPU** is against the figure recorded before issue 15's work, measured once from a",
    "  checkout of 2926e2a (bench/baseline.json, with its command); it is never recomputed from",
    "  newer code.",
    "",
  ].join("\n");
}
