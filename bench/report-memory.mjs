// Section 7 of BENCHMARKS.md: peak memory (VmHWM) of the CLI and its agents (bench/memory.mjs's
// figures, with the agents' peaks from the lab and fidelity sections' own labs).
import { dataOf, mib, opening, placeholder, table } from "./report-format.mjs";

export const MEMORY_HEADING = "## 7. Peak memory (VmHWM)";

export function memoryText(r) {
  const head = opening(r, MEMORY_HEADING, ["memory"]);
  if (!head) return placeholder(r, MEMORY_HEADING, "memory");
  const m = dataOf(r, "memory");
  const idle = dataOf(r, "lab")?.agentHwmKb ?? {};
  const afterCrash = (dataOf(r, "fidelity") ?? []).flatMap((f) => f.agentHwmKb);
  const med = (xs) => {
    const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return s.length ? s[(s.length - 1) >> 1] : Number.NaN;
  };
  const max = (xs) => Math.max(...xs.filter(Number.isFinite));
  const hosts = [...new Set([...Object.keys(idle), ...Object.keys(m.suiteAgentKb)])].sort();
  const perLab = dataOf(r, "lab")?.agentsPerLab ?? 0;
  const parallel = dataOf(r, "suite")?.parallel ?? 8;
  return [
    head,
    "The CLI's peak is read by bench/hwm-hook.cjs (`node -r`) in its `exit` handler, just before",
    "it exits. Agents under the CLI are found as its children and their /proc/<pid>/status read",
    "every 20 ms while they live (VmHWM only grows; they are SIGKILLed at teardown). The bench's",
    "own labs read each agent's status just before `destroy` (the server's just before the crash).",
    "",
    table(
      ["process", "peak RSS"],
      [
        ["CLI `list`", mib(m.listKb)],
        ["CLI `--help`", mib(m.helpKb)],
        [
          `CLI \`run all --window ${m.windowS ?? 3} --json\` (${m.suiteAgents} agents)`,
          mib(m.suiteKb),
        ],
        ...hosts.map((h) => {
          const s = m.suiteAgentKb[h];
          return [`  its ${h} agents (median / max)`, s ? `${mib(s.median)} / ${mib(s.max)}` : "—"];
        }),
        ...hosts.map((h) => [
          `bench lab, ${h} agent, idle after build (median / max)`,
          `${mib(med(idle[h] ?? []))} / ${mib(max(idle[h] ?? []))}`,
        ]),
        ...hosts.map((h) => [
          `bench lab, ${h} agent, after a host-crash run and its snapshot polling (median / max)`,
          `${mib(med(afterCrash.map((x) => x[h])))} / ${mib(max(afterCrash.map((x) => x[h])))}`,
        ]),
      ],
    ),
    "",
    `Target: at most 150 MB (150,000 kB of VmHWM) for each tcpdrop process, here and in section 8's`,
    "10,000 connections (the targets table takes the largest of both).",
    perLab && Number.isFinite(m.suiteAllAgentsKb?.median)
      ? `A lab runs ${perLab} Node agents of about ${mib(m.suiteAllAgentsKb.median)} each (the client's grows with traffic: most in section 6's labs, whose client answered a few thousand snapshot requests), so ${parallel} labs at once hold about ${mib(parallel * perLab * m.suiteAllAgentsKb.median)} in agents next to the CLI's ${mib(m.suiteKb)}.`
      : "",
    "",
  ].join("\n");
}
