// Scale: `tcpdrop run host-crash --connections 10000 --keepalive 1,1,2`, the target run
// with the default two workloads (idle and writer). The idle connections detect the crash
// through keepalive; the writers cannot (data in flight stops keepalive) and report nothing
// within the window. Where the agents' descriptor limit cannot hold 2 x 10,000 sockets (and
// cannot be raised: no CAP_SYS_RESOURCE), tcpdrop refuses before building the lab and names the
// largest --connections that fits; the bench records that refusal and measures that run (and,
// if that fails too, half the asked-for connections).
// Measures: completion, setup time (first to last connect), how many detect, p99 detection
// against each connection's own prediction, and the agents' peak memory (VmHWM, sampled
// every 50 ms while they run).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { childrenOf, cmdline, memStatus, nowMs, ROOT, sleep } from "./lib.mjs";

export async function scale({ connections = 10000 } = {}) {
  // Runs that ended in exit 2 (refused, or a setup step that failed) before the one measured.
  const attempts = [];
  let result = await measure(connections);
  const fits = /--connections (\d+) or fewer/.exec(result.stderr ?? "");
  for (const next of [fits && Number(fits[1]), Math.floor(connections / 2)]) {
    if (result.exitCode !== 2 || !next) break;
    attempts.push({ command: result.command, message: result.stderr.trim() });
    result = await measure(next);
  }
  return { ...result, attempts };
}

async function measure(connections) {
  const args = [
    "run",
    "host-crash",
    "--connections",
    String(connections),
    "--keepalive",
    "1,1,2",
    "--json",
  ];
  const droppedBefore = backlogDrops();
  const t0 = nowMs();
  const child = spawn(process.execPath, [join(ROOT, "bin/tcpdrop.js"), ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
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
  const backlogDropped = backlogDrops() - droppedBefore;
  const command = `tcpdrop ${args.join(" ")}`;
  if (code === 2) return { command, exitCode: code, wallMs, stderr };
  const run = JSON.parse(stdout).runs[0];
  const byGroup = Object.fromEntries(run.distributions.map((g) => [g.group, g]));
  const d = byGroup.idle;
  return {
    command,
    exitCode: code,
    wallMs,
    connections: d.count,
    detected: d.detected,
    setupMs: Math.max(...run.distributions.map((g) => g.connectSpreadMs ?? 0)),
    medianMs: d.medianMs,
    p99Ms: d.p99Ms,
    p99ErrorMs: d.p99ErrorMs,
    writer: byGroup.writer && {
      count: byGroup.writer.count,
      detected: byGroup.writer.detected,
      outcome: byGroup.writer.outcome,
    },
    verdicts: run.verdicts.map((v) => `${v.pass ? "held" : "FAILED"}: ${v.expectation}`),
    agentPeakKb: Object.fromEntries(peak),
    backlogDropped,
  };
}

/**
 * Packets the kernel dropped because a CPU's input backlog was full (net.core.netdev_max_backlog,
 * machine-wide), summed over CPUs: /proc/net/softnet_stat's second column. veth hands every
 * packet to that backlog; a keepalive probe dropped there fails locally and is retried 500 ms
 * later. Other work on the machine counts too.
 */
function backlogDrops() {
  try {
    return readFileSync("/proc/net/softnet_stat", "utf8")
      .trim()
      .split("\n")
      .reduce((n, line) => n + Number.parseInt(line.split(/\s+/)[1], 16), 0);
  } catch {
    return Number.NaN;
  }
}
