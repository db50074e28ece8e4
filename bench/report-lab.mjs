// Section 4 of BENCHMARKS.md: lab setup plus teardown against the shell floor, and what one agent
// costs to start (bench/lab-setup.mjs's figures).
import { LAB_RATIO_TARGET } from "./lab-setup.mjs";
import { dataOf, fmt, opening, placeholder, statCells, table, verdict } from "./report-format.mjs";

export const LAB_HEADING = "## 4. Lab setup plus teardown";

export function labText(r) {
  const head = opening(r, LAB_HEADING, ["lab", "agent"]);
  if (!head || !dataOf(r, "lab")) return placeholder(r, LAB_HEADING, "lab");
  const { lab, floor, agentsPerLab } = dataOf(r, "lab");
  const agent = dataOf(r, "agent") ?? [];
  const labMs = lab.total.median;
  const floorMs = floor.inside.median;
  const ratio = labMs / floorMs;
  const met = ratio <= LAB_RATIO_TARGET;
  const p = lab.phases;
  const phaseRows = p
    ? [
        ...(p.holders
          ? [["  `Lab.build`: holders starting (`Host.start`)", ...statCells(p.holders)]]
          : []),
        ...(p.agents
          ? [
              [
                `  \`Lab.build\`: ${agentsPerLab} agents starting (\`AgentProcess.start\`)`,
                ...statCells(p.agents),
              ],
            ]
          : []),
        ["  `Lab.build`: the rest (wiring, sysctls, listen)", ...statCells(p.rest)],
      ]
    : [];
  const agentAlone = agent.find((a) => a.label.startsWith("`unshare --net -- node dist"));
  const nodeAlone = agent[0];
  return [
    head,
    "`Lab.build({ clientSysctls: {}, serverFlags: [], onMessage })` + `lab.destroy()`, tcpdrop's",
    "public lab API from dist/lab/lab.js, against bench/lab-floor.sh: the same topology (3",
    "namespaces held by `unshare --net sleep`, 2 veth pairs created inside the router's namespace,",
    "198.51.100.0/24 and 203.0.113.0/24, ip_forward=1 in the router) built with `nsenter ... ip",
    "-batch`, then the holders SIGKILLed. The floor is timed inside the script ($EPOCHREALTIME,",
    "bash's own start-up excluded); its wall time from Node is shown too. Before the rounds the",
    "floor checks once, untimed, that a client SYN to the server is answered through the router.",
    "",
    table(
      ["ms", "n", "min", "median", "max"],
      [
        ["**tcpdrop** `Lab.build` + `destroy`", ...statCells(lab.total)],
        ["  of which `Lab.build`", ...statCells(lab.build)],
        ...phaseRows,
        ["  of which `lab.destroy`", ...statCells(lab.destroy)],
        ["**floor** lab-floor.sh (inside)", ...statCells(floor.inside)],
        ["  floor, wall incl. bash start", ...statCells(floor.wall)],
      ],
    ),
    "",
    `Ratio: ${fmt(ratio, 2)}x the floor (target ${LAB_RATIO_TARGET}x, i.e. at most ${fmt(LAB_RATIO_TARGET * floorMs)} ms): ${verdict(met)}.`,
    p
      ? 'The phases come from wrapping `Host.start` and `AgentProcess.start` (from dist/, where they exist) to record when each call began and resolved; "the rest" is the time outside them. Medians of each phase need not add up to the median build.'
      : "",
    "",
    ...(agent.length
      ? [
          "What one agent costs to start (each variant alone, alternating rounds):",
          "",
          table(
            ["", "n", "min", "median", "max", "CPU at ready (median)"],
            agent.map((a) => [
              a.label,
              ...statCells(a.wall),
              a.cpu ? `${fmt(a.cpu.median, 0)} ms` : "",
            ]),
          ),
          "",
        ]
      : []),
    met
      ? "Reading: within the target."
      : [
          `Reading: not met. The whole floor, wiring included, takes ${fmt(floorMs)} ms.`,
          p?.agents
            ? `In \`Lab.build\` the agents' start alone takes ${fmt(p.agents.median)} ms: each is a Node process that loads koffi and binds libc before it says "ready" (${fmt(agentAlone?.wall.median)} ms alone; a bare \`node -e 0\` is ${fmt(nodeAlone?.wall.median)} ms), larger than the whole ${LAB_RATIO_TARGET}x budget of ${fmt(LAB_RATIO_TARGET * floorMs)} ms.`
            : "",
        ]
          .filter(Boolean)
          .join("\n"),
    "",
  ].join("\n");
}
