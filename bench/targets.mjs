// Issue 15's targets and the no-regression ones, judged from the bench's figures: one entry per row
// of the targets table, { what, figure, target, met } (met: true, false, null for inconclusive,
// undefined for a reference figure without a target). Pure: it reads results, measures nothing.
import { ANSWER_TARGET } from "./answer.mjs";
import { cpuBudgetS } from "./baseline.mjs";
import { coldStartRow } from "./cold-start.mjs";
import { LAB_RATIO_TARGET } from "./lab-setup.mjs";
import { OVERHEAD_TARGET_S } from "./overhead.mjs";
import { dataOf, fmt, mib } from "./report-format.mjs";
import { SUITE_RATIO_TARGET } from "./suite.mjs";

const MEMORY_TARGET_KB = 150 * 1000; // 150 MB as VmHWM counts it (kB)
const s3 = (x) => `${fmt(x, 3)} s`;

function answerRows(a) {
  if (!a) return [];
  const t = a.tcpdrop;
  const failed = t.failed ? ` (${t.failed} of ${t.n} runs failed their check)` : "";
  const pd = a.packetdrill;
  const figures = (p) => `wall ${s3(p.wall.median)}, CPU ${s3(p.cpu.median)} (median of ${p.n})`;
  const theirs = pd.ran
    ? `${figures(pd)}, run here`
    : pd.recorded
      ? `${figures(pd.recorded)}: recorded ${pd.recorded.date.slice(0, 10)}, **not run here** (${pd.why})`
      : `not run (${pd.why}); no figure recorded`;
  return [
    {
      what: "`run peer-close --detect recv`: wall",
      figure: `${s3(t.wall.median)} (median of ${t.n})${failed}`,
      target: `<= ${ANSWER_TARGET.wallS} s`,
      met: t.wall.median <= ANSWER_TARGET.wallS,
    },
    {
      what: "`run peer-close --detect recv`: CPU (user + sys, process tree)",
      figure: `${s3(t.cpu.median)} (${s3(t.user.median)} user + ${s3(t.sys.median)} sys)`,
      target: `<= ${ANSWER_TARGET.cpuS} s`,
      met: t.cpu.median <= ANSWER_TARGET.cpuS,
    },
    {
      what: "packetdrill, the same check (bench/peer-close.pkt)",
      figure: theirs,
      target: "(reference)",
    },
  ];
}

function overheadRow(o) {
  if (!o) return [];
  const worst = o.scenarios.reduce((a, b) => (b.overhead.median > a.overhead.median ? b : a));
  const within = o.scenarios.filter((x) => x.overhead.median <= o.target).length;
  const sorted = o.scenarios.map((x) => x.overhead.median).sort((a, b) => a - b);
  const mid = sorted[(sorted.length - 1) >> 1];
  return [
    {
      what: "overhead beyond the kernel's time, every built-in scenario alone (wall - kernel part)",
      figure: `worst \`${worst.name}\` ${s3(worst.overhead.median)}, middle ${s3(mid)}; ${within} of ${o.scenarios.length} within`,
      target: `<= ${OVERHEAD_TARGET_S} s each`,
      met: within === o.scenarios.length,
    },
  ];
}

function suiteRows(s) {
  if (!s) return [];
  const longest = s.longest[Math.floor((s.longest.length - 1) / 2)];
  const b = s.baseline;
  return [
    {
      what: "`run all`: wall against its longest scenario (in the same batch)",
      figure: `${fmt(s.ratio.median, 2)}x (${fmt(s.wall.median, 2)} s; longest \`${longest.name}\` ${fmt(longest.durationS, 2)} s)`,
      target: `<= ${SUITE_RATIO_TARGET}x`,
      met: s.ratio.median <= SUITE_RATIO_TARGET,
    },
    {
      what: "`run all`: CPU (user + sys, process tree)",
      figure: `${fmt(s.cpu.median, 2)} s (${fmt(s.user.median, 2)} user + ${fmt(s.sys.median, 2)} sys)`,
      target: b
        ? `<= ${fmt(cpuBudgetS(b), 2)} s (2x / 3 of ${fmt(b.cpu.median, 2)} s at ${b.commit}, bench/baseline.json)`
        : "2x / 3 of the recorded baseline (none recorded: see bench/baseline.mjs)",
      met: b ? s.cpu.median <= cpuBudgetS(b) : undefined,
    },
  ];
}

function labRow(l) {
  if (!l) return [];
  const ratio = l.lab.total.median / l.floor.inside.median;
  return [
    {
      what: "lab build + teardown (`Lab.build` + `destroy`) against the shell floor",
      figure: `${fmt(ratio, 2)}x (${fmt(l.lab.total.median)} ms vs ${fmt(l.floor.inside.median)} ms)`,
      target: `<= ${LAB_RATIO_TARGET}x`,
      met: ratio <= LAB_RATIO_TARGET,
    },
  ];
}

function cliRow(c) {
  if (!c) return [];
  const [bare, help, list] = c;
  const dh = help.wall.median - bare.wall.median;
  const dl = list.wall.median - bare.wall.median;
  return [
    {
      what: "CLI start-up, `--help` and `list` (no regression)",
      figure: `\`--help\` +${fmt(dh)} ms, \`list\` +${fmt(dl)} ms over \`node -e 0\``,
      target: "within 40 ms",
      met: dh <= 40 && dl <= 40,
    },
  ];
}

function fidelityRows(f) {
  return (f ?? []).map((x) => {
    const lo = Math.max(0, x.overheadLoMs.median);
    const hi = x.overheadHiMs.median;
    return {
      what: `fidelity, ${x.label} (no regression)`,
      figure: `${fmt(lo, 2)}..${fmt(hi, 2)} ms (bounds, medians of ${x.runs})`,
      target: "detection overhead <= 2 ms",
      met: hi <= 2 ? true : lo > 2 ? false : null,
    };
  });
}

function scaleRows(x) {
  if (!x || !Number.isFinite(x.connections)) return [];
  const setup = x.summary?.setupMs.median ?? x.setupMs;
  const p99 = x.summary?.p99AbsErrorMs.median ?? x.p99AbsErrorMs;
  const runs = x.each?.length ?? 1;
  const of = runs > 1 ? ` (median of ${runs} runs)` : "";
  const all = x.detected === x.connections;
  return [
    {
      what: `${x.connections.toLocaleString("en")} connections: setup (no regression)`,
      figure: `${fmt(setup)} ms${of}; ${x.detected} of ${x.connections} idle detect`,
      target: "<= 5 s, all detect, 10,000",
      met: x.connections >= 10000 && setup <= 5000 && all,
    },
    {
      what: `${x.connections.toLocaleString("en")} connections: p99 of abs(measured - predicted)`,
      figure: `${fmt(p99)} ms${of}`,
      target: "<= 100 ms",
      met: p99 <= 100,
    },
  ];
}

function memoryRow(m, x) {
  const peaks = [];
  if (m) {
    peaks.push(["CLI `run all`", m.suiteKb]);
    if (m.suiteAgents) peaks.push(["its agents", m.suiteAllAgentsKb.max]);
  }
  if (x && Number.isFinite(x.connections)) {
    const n = `${x.connections.toLocaleString("en")} connections`;
    if (Number.isFinite(x.cliPeakKb)) peaks.push([`CLI, ${n}`, x.cliPeakKb]);
    for (const [role, kb] of Object.entries(x.agentPeakKb ?? {})) {
      peaks.push([`${role} agents, ${n}`, kb]);
    }
  }
  const known = peaks.filter(([, kb]) => Number.isFinite(kb));
  if (!known.length) return [];
  const top = known.reduce((a, b) => (b[1] > a[1] ? b : a));
  return [
    {
      what: "peak memory of each tcpdrop process (no regression)",
      figure: `largest: ${top[0]} ${mib(top[1])} (${known.map(([w, kb]) => `${w} ${mib(kb)}`).join(", ")})`,
      target: "<= 150 MB (VmHWM <= 150,000 kB)",
      met: known.every(([, kb]) => kb <= MEMORY_TARGET_KB),
    },
  ];
}

/** Every row of the targets table, in the issue's order. */
export function targetRows(r) {
  const d = (name) => dataOf(r, name);
  const [what, coldFigure, target, verdictCell] = coldStartRow(d("coldstart"));
  const coldError = r.measured?.coldstart?.error;
  const figure = coldError ? `bench/cold-start.mjs failed: ${coldError}` : coldFigure;
  return [
    ...answerRows(d("answer")),
    ...overheadRow(d("overhead")),
    ...suiteRows(d("suite")),
    ...labRow(d("lab")),
    { what, figure, target, verdictCell },
    ...cliRow(d("cli")),
    ...fidelityRows(d("fidelity")),
    ...scaleRows(d("scale")),
    ...memoryRow(d("memory"), d("scale")),
  ];
}
