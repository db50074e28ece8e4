// Lab setup plus teardown: tcpdrop's public lab API, `Lab.build()` + `lab.destroy()` from
// dist/lab/lab.js, against the shell floor (bench/lab-floor.sh), interleaved round by round so both
// see the same machine load (issue 15's target: at most 2x the floor); and what one agent costs to
// start, broken down, to explain the difference. The phases of a build (holders, agents) come from
// wrapping `Host.start` and `AgentProcess.start` when dist/ still has them: each is optional, so a
// lab built another way (an in-process engine, no agents) is still timed, just not broken down.
import { existsSync } from "node:fs";
import {
  cpuMs,
  fromDist,
  interleave,
  memStatus,
  nowMs,
  pushTo,
  ROOT,
  stats,
  timeCommand,
  timeUntilReady,
} from "./lib.mjs";

const FLOOR = `${ROOT}bench/lab-floor.sh`;

async function floorOnce(check = false) {
  const env = { ...process.env, CHECK: check ? "1" : "0" };
  const r = await timeCommand("bash", [FLOOR, "1"], { capture: true, env });
  if (r.code !== 0) throw new Error(`bench/lab-floor.sh failed: ${r.stderr.trim()}`);
  return { inside: Number(r.stdout.trim()), wall: r.ms };
}

/**
 * Wrap a class's static start() (Host.start, AgentProcess.start) to record when each call
 * began and resolved: the bench's own instrumentation, src is untouched. Returns false when
 * the module has no such class.
 */
async function recordStarts(path, exportName, into) {
  const mod = await fromDist(path).catch(() => null);
  const cls = mod?.[exportName];
  if (typeof cls?.start !== "function") return false;
  const start = cls.start;
  cls.start = function (...args) {
    const began = nowMs();
    const starting = start.apply(this, args);
    starting.then(
      () => into.push([began, nowMs()]),
      () => {},
    );
    return starting;
  };
  return true;
}

/** Length of the time covered by [from, to] spans, overlaps counted once. */
function covered(spans) {
  let total = 0;
  let end = -Infinity;
  for (const [a, b] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total;
}

const span = (spans) =>
  spans.length ? [Math.min(...spans.map((x) => x[0])), Math.max(...spans.map((x) => x[1]))] : null;

export async function labSetup({ rounds, warmup }) {
  const { Lab } = await fromDist("lab/lab.js");
  const agentHwmKb = {};
  let agentsPerLab = 0;
  const holderStarts = [];
  const agentStarts = [];
  const holdersTimed = await recordStarts("lab/host.js", "Host", holderStarts);
  const agentsTimed = await recordStarts("lab/agent-process.js", "AgentProcess", agentStarts);
  const instrumented = holdersTimed || agentsTimed;

  const labOnce = async () => {
    holderStarts.length = 0;
    agentStarts.length = 0;
    const t0 = nowMs();
    const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });
    const built = nowMs();
    await new Promise((resolve) => setImmediate(resolve)); // let the start spans settle
    const holdersSpan = span(holderStarts);
    const agentsSpan = span(agentStarts);
    const phases = instrumented
      ? {
          holders: holdersTimed && holdersSpan ? holdersSpan[1] - holdersSpan[0] : null,
          agents: agentsTimed && agentsSpan ? agentsSpan[1] - agentsSpan[0] : null,
          rest: built - t0 - covered([holdersSpan, agentsSpan].filter(Boolean)),
        }
      : null;
    // Not timed: the agents' peak RSS while the lab stands (section 5).
    const agents = labAgents(lab);
    agentsPerLab = agents.length;
    for (const agent of agents) {
      pushTo(agentHwmKb, agent.host, memStatus(agent.pid)?.hwmKb);
    }
    const t1 = nowMs();
    await lab.destroy();
    const destroyed = nowMs();
    return {
      build: built - t0,
      destroy: destroyed - t1,
      total: built - t0 + (destroyed - t1),
      phases,
    };
  };

  await floorOnce(true); // proves once that the floor's topology forwards (untimed)
  const [labs, floors] = await interleave(rounds, warmup, [labOnce, () => floorOnce()]);
  return {
    lab: {
      total: stats(labs.map((x) => x.total)),
      build: stats(labs.map((x) => x.build)),
      destroy: stats(labs.map((x) => x.destroy)),
      phases: instrumented
        ? {
            holders: holdersTimed ? stats(labs.map((x) => x.phases.holders ?? 0)) : null,
            agents: agentsTimed ? stats(labs.map((x) => x.phases.agents ?? 0)) : null,
            rest: stats(labs.map((x) => x.phases.rest)),
          }
        : null,
    },
    floor: {
      inside: stats(floors.map((x) => x.inside)),
      wall: stats(floors.map((x) => x.wall)),
    },
    agentHwmKb,
    agentsPerLab,
  };
}

/** The lab's agent processes (a host that runs none, e.g. the router, is left out). */
export function labAgents(lab) {
  return [lab.client, lab.router, lab.server].filter(
    (p) => p && typeof p.request === "function" && typeof p.host === "string",
  );
}

export const LAB_RATIO_TARGET = 2;

/** What starting one agent costs: node itself, unshare, koffi + libc, and the agent to "ready". */
export async function agentStart({ rounds, warmup }) {
  const node = process.execPath;
  const agentMain = `${ROOT}dist/bundle/agent/main.cjs`;
  const agentArgs = [agentMain, "--host", "client"];
  const ready = /"type":"ready"/;
  const koffi = "import koffi from 'koffi'; koffi.load('libc.so.6');";
  const variants = [
    { label: "`node -e 0` (exits)", run: () => timeCommand(node, ["-e", "0"]) },
    {
      label: "`unshare --net -- node -e 0` (exits)",
      run: () => timeCommand("unshare", ["--net", "--", node, "-e", "0"]),
    },
    {
      label: "`node` importing koffi + loading libc (exits)",
      run: () => timeCommand(node, ["--input-type=module", "-e", koffi]),
    },
    {
      label: '`node dist/bundle/agent/main.cjs` until its "ready" line',
      run: () => timeUntilReady(node, agentArgs, ready, (pid) => ({ cpu: cpuMs(pid) })),
    },
    {
      label:
        '`unshare --net -- node dist/bundle/agent/main.cjs` until "ready" (in a fresh namespace)',
      run: () =>
        timeUntilReady("unshare", ["--net", "--", node, ...agentArgs], ready, (pid) => ({
          cpu: cpuMs(pid),
        })),
    },
  ];
  // Without an agent program in dist/ (an in-process engine), only node's own start is timed.
  if (!existsSync(agentMain)) variants.splice(3);
  const samples = await interleave(
    rounds,
    warmup,
    variants.map((v) => async () => {
      const r = await v.run();
      if (r.code !== undefined && r.code !== 0) throw new Error(`${v.label} exited ${r.code}`);
      return r;
    }),
  );
  return variants.map((v, i) => ({
    label: v.label,
    wall: stats(samples[i].map((r) => r.ms)),
    cpu: samples[i][0]?.cpu === undefined ? null : stats(samples[i].map((r) => r.cpu)),
  }));
}
