// Section 2 of BENCHMARKS.md: tcpdrop's time beyond the kernel's own, each built-in scenario alone
// (bench/overhead.mjs's figures).
import { dataOf, fmt, opening, placeholder, table, verdict } from "./report-format.mjs";

export const OVERHEAD_HEADING = "## 2. Overhead beyond the kernel's time, each scenario alone";

export function overheadText(r) {
  const head = opening(r, OVERHEAD_HEADING, ["overhead"]);
  if (!head) return placeholder(r, OVERHEAD_HEADING, "overhead");
  const o = dataOf(r, "overhead");
  const s = (x) => fmt(x, 2);
  const over = o.scenarios.filter((x) => x.overhead.median > o.target);
  const waited = o.scenarios.filter((x) => x.waited !== "no");
  const near = o.scenarios.filter((x) => x.nearWindowEnd);
  const scheduled = o.scenarios.filter((x) => x.stepAfterKernel.median > 0.05);
  const failures = (x) =>
    x.failures.map(([id, at]) => `${id} ${at === null ? "—" : `${fmt(at / 1000, 3)}`}`).join(", ");
  return [
    head,
    `\`tcpdrop run NAME --window ${o.windowS} --json\` for every built-in scenario, alone, one after`,
    `another (${o.passes} pass${o.passes > 1 ? "es, medians" : ""}), each timed as a whole process tree. Kernel part: the`,
    "latest first failure of the run's watched connections, or the window's end when one of them",
    'never fails inside it ("waits"); overhead = wall - kernel part. The first failures are in',
    "seconds after the fault, per watched connection, from the report.",
    "",
    table(
      [
        "scenario",
        "wall s",
        "kernel part s",
        "waits the window",
        "**overhead s**",
        "",
        "CPU s",
        "first failures (s after the fault)",
      ],
      o.scenarios.map((x) => [
        x.name,
        s(x.wall.median),
        s(x.kernel.median),
        x.waited,
        `**${s(x.overhead.median)}**`,
        x.overhead.median <= o.target ? "" : "over",
        s(x.cpu.median),
        failures(x),
      ]),
    ),
    "",
    `Target: <= ${o.target} s for every scenario: ${verdict(over.length === 0)}` +
      (over.length ? ` (${over.length} of ${o.scenarios.length} over).` : "."),
    `${waited.length} of ${o.scenarios.length} scenarios wait the whole window (a watched connection that never`,
    "fails: an idle reader without keepalive, a writer under the default tcp_retries2): their",
    "kernel part is the window's end.",
    scheduled.length
      ? `Part of the overhead of ${scheduled.map((x) => `${x.name} (${s(x.stepAfterKernel.median)} s)`).join(", ")} is the fault's own schedule after the kernel part (a step in its report, e.g. a heal or a reboot), not tcpdrop's work.`
      : "",
    near.length
      ? `A failure came in the window's last 0.5 s in ${near.map((x) => x.name).join(", ")}: a longer window might see more.`
      : "",
    o.notes.length ? `Retried: ${o.notes.join("; ")}.` : "",
    "",
  ]
    .filter((line, i, lines) => line !== "" || lines[i - 1] !== "")
    .join("\n");
}
