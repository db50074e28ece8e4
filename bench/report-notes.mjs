// The closing sections of BENCHMARKS.md: where the time of each target that is not met goes, read
// from the figures (for whoever changes src/), and the conditions each section ran under (time,
// load average, tcpdrop agents running before and after), so noisy figures can be told apart.
import { dataOf, fmt, table } from "./report-format.mjs";
import { targetRows } from "./targets.mjs";

export function changesText(r) {
  const missed = targetRows(r).filter((x) => x.met === false);
  const answer = dataOf(r, "answer");
  const lab = dataOf(r, "lab");
  const overhead = dataOf(r, "overhead");
  const suite = dataOf(r, "suite");
  const items = [];
  if (answer && answer.tcpdrop.wall.median > answer.target.wallS) {
    const peerClose = overhead?.scenarios.find((x) => x.name === "peer-close");
    items.push(
      [
        `- **A quick answer** (${fmt(answer.tcpdrop.wall.median, 3)} s wall, ${fmt(answer.tcpdrop.cpu.median, 3)} s CPU):`,
        lab
          ? `  the lab alone takes ${fmt(lab.lab.total.median)} ms to build and tear down (section 4);`
          : "",
        peerClose
          ? `  \`run peer-close\` spends ${fmt(peerClose.overhead.median, 2)} s beyond the kernel's part (section 2): start-up, the lab, connect, the pause before the fault, the follow-up calls after the EOF, teardown.`
          : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  }
  if (overhead) {
    const over = overhead.scenarios
      .filter((x) => x.overhead.median > overhead.target)
      .sort((a, b) => b.overhead.median - a.overhead.median);
    if (over.length) {
      items.push(
        `- **Overhead** (${over.length} of ${overhead.scenarios.length} scenarios over ${overhead.target} s): the largest are ${over
          .slice(0, 3)
          .map((x) => `${x.name} ${fmt(x.overhead.median, 2)} s`)
          .join(
            ", ",
          )}; the scenarios that wait the window pay it after the window's end, the others after their last failure.`,
      );
    }
  }
  if (suite && suite.ratio.median > 1.15 && suite.parallel) {
    const waves = Math.ceil(suite.scenarios / suite.parallel);
    items.push(
      `- **Suite** (${fmt(suite.ratio.median, 2)}x): ${suite.scenarios} scenarios at --parallel ${suite.parallel} run in ${waves} waves, and most wait a whole window, so the suite lasts about ${waves} windows; only every lab at once (or a default parallelism of all the scenarios) brings it near one.`,
    );
  }
  if (lab?.lab.phases?.agents && missed.some((x) => x.what.startsWith("lab build"))) {
    items.push(
      `- **Lab setup**: the agents' start takes ${fmt(lab.lab.phases.agents.median)} ms of the ${fmt(lab.lab.total.median)} ms (section 4); the floor has no such process.`,
    );
  }
  return [
    "## What src could change",
    "",
    missed.length
      ? items.join("\n") || "See the sections of the targets not met."
      : "Every target with figures is met.",
    "",
  ].join("\n");
}

export function conditionsText(r) {
  const entries = Object.entries(r.measured ?? {});
  return [
    "## Conditions",
    "",
    "The machine may be shared; the load average and the number of tcpdrop lab agents running",
    "(anyone's) at the start and end of each section are recorded so noisy figures can be told",
    "apart. Between runs the bench itself has none running.",
    "",
    table(
      ["section", "measured", "time", "load before", "load after", "agents before", "agents after"],
      entries.map(([name, s]) => [
        name,
        s.at === r.info.date ? "this run" : s.at,
        `${fmt(s.seconds, 1)} s`,
        s.before.load,
        s.after.load,
        s.before.agents,
        s.after.agents,
      ]),
    ),
    "",
  ].join("\n");
}
