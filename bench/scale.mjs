// Scale: `tcpdrop run host-crash --detect recv --connections 10000 --keepalive 1,1,2`, the
// issue's target run (one idle workload, so that every connection can detect the crash).
// Measures: completion, setup time (first to last connect), how many detect, p99 detection
// against each connection's own prediction, and the agents' peak memory (VmHWM, sampled
// every 50 ms while they run).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { childrenOf, cmdline, memStatus, nowMs, ROOT, sleep } from "./lib.mjs";

export async function scale({ connections = 10000 } = {}) {
  const args = [
    "run",
    "host-crash",
    "--detect",
    "recv",
    "--connections",
    String(connections),
    "--keepalive",
    "1,1,2",
    "--json",
  ];
  const t0 = nowMs();
  const child = spawn(process.execPath, [join(ROOT, "bin/tcpdrop.js"), ...args], { cwd: ROOT });
  let stdout = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  const peak = new Map();
  let exited = false;
  const done = new Promise((resolve) => {
    child.on("exit", (code) => {
      exited = true;
      resolve(code);
    });
  });
  while (!exited) {
    for (const pid of childrenOf(child.pid)) {
      const role = cmdline(pid).find((a) => a === "client" || a === "server");
      const mem = memStatus(pid);
      if (role && mem) peak.set(role, Math.max(peak.get(role) ?? 0, mem.hwmKb));
    }
    await sleep(50);
  }
  const code = await done;
  const wallMs = nowMs() - t0;
  const run = JSON.parse(stdout).runs[0];
  const d = run.distributions[0];
  return {
    command: `tcpdrop ${args.join(" ")}`,
    exitCode: code,
    wallMs,
    connections: d.count,
    detected: d.detected,
    setupMs: d.connectSpreadMs,
    medianMs: d.medianMs,
    p99Ms: d.p99Ms,
    p99ErrorMs: d.p99ErrorMs,
    agentPeakKb: Object.fromEntries(peak),
  };
}
