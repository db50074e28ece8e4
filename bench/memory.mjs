// 5. Peak memory (VmHWM, the kernel's high-water mark of RSS). The CLI's is read by
// bench/hwm-hook.cjs in its 'exit' handler, i.e. just before it exits; its agents' are read
// from /proc/<pid>/status every 20 ms while they live (VmHWM only grows, so the last read is
// the peak up to within 20 ms of the agent's SIGKILL at teardown, when it is idle).
import { rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childrenOf, cmdline, memStatus, pushTo, ROOT, stats, timeCommand } from "./lib.mjs";

const HOOK = `${ROOT}bench/hwm-hook.cjs`;
const CLI = `${ROOT}bin/tcpdrop.js`;

async function cliPeak(args, watchAgents) {
  const out = join(tmpdir(), `tcpdrop-bench-hwm-${process.pid}-${Date.now()}`);
  const agents = new Map();
  const seen = new Map();
  let timer;
  const poll = (cli) => {
    for (const pid of childrenOf(cli)) {
      // Only a positive match is remembered: a child that has forked but not yet exec'd
      // still shows the CLI's own command line. VmHWM restarts at exec, and the last read
      // (of the agent's node) wins.
      if (!seen.has(pid)) {
        const argv = cmdline(pid);
        if (!argv.some((a) => /agent\/main\.c?js$/.test(a))) continue;
        seen.set(pid, argv[argv.indexOf("--host") + 1]);
      }
      const hwm = memStatus(pid)?.hwmKb;
      if (Number.isFinite(hwm)) agents.set(pid, { host: seen.get(pid), hwmKb: hwm });
    }
  };
  const env = { ...process.env, BENCH_HWM_OUT: out };
  try {
    const r = await timeCommand(process.execPath, ["-r", HOOK, CLI, ...args], {
      capture: true,
      env,
      onSpawn: (pid) => {
        if (watchAgents) timer = setInterval(() => poll(pid), 20);
      },
    });
    clearInterval(timer);
    if (r.code !== 0 && r.code !== 1) {
      throw new Error(`tcpdrop ${args.join(" ")} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
    }
    const [pid, kb] = (await readFile(out, "utf8")).trim().split(/\s+/).map(Number);
    if (pid !== r.pid) throw new Error("the exit hook reported another process");
    return { cliHwmKb: kb, agents: [...agents.values()] };
  } finally {
    clearInterval(timer);
    rmSync(out, { force: true });
  }
}

export async function memory({ windowS }) {
  const list = await cliPeak(["list"], false);
  const help = await cliPeak(["--help"], false);
  const suite = await cliPeak(["run", "all", "--window", String(windowS), "--json"], true);
  const byHost = {};
  for (const a of suite.agents) pushTo(byHost, a.host, a.hwmKb);
  return {
    windowS,
    listKb: list.cliHwmKb,
    helpKb: help.cliHwmKb,
    suiteKb: suite.cliHwmKb,
    suiteAgents: suite.agents.length,
    suiteAgentKb: Object.fromEntries(Object.entries(byHost).map(([h, v]) => [h, stats(v)])),
    suiteAllAgentsKb: stats(suite.agents.map((a) => a.hwmKb)),
  };
}
