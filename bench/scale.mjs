// Scale: `tcpdrop run host-crash --connections 10000 --keepalive 1,1,2`, the target run
// with the default two workloads (idle and writer). The idle connections detect the crash
// through keepalive; the writers cannot (data in flight stops keepalive) and report nothing
// within the window. Where one agent's descriptor limit cannot hold 2 x 10,000 sockets, each
// end host runs several agents; only a run that even four agents a host cannot hold is refused
// before the lab is built, naming the largest --connections that fits: the bench records that
// refusal and measures that run (and, if that fails too, half the asked-for connections).
// Measures, over `runs` runs: completion, setup time (first to last connect), how many detect,
// p99 of |measured - predicted| (each connection against its own prediction), the peak memory
// of the CLI (VmHWM read by bench/hwm-hook.cjs as it exits) and of its agents (VmHWM sampled every
// 50 ms while they run), and the machine's load average.
//
//   node bench/scale.mjs [--connections N] [--runs N]   prints the section and the JSON
import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { childrenOf, cmdline, memStatus, nowMs, ROOT, sleep } from "./lib.mjs";

export async function scale({ connections = 10000, runs = 1 } = {}) {
  const first = await scaleOnce(connections);
  if (runs <= 1 || !Number.isFinite(first.connections)) return first;
  const all = [first];
  for (let i = 1; i < runs; i++) all.push(await measure(first.connections));
  const done = all.filter((r) => Number.isFinite(r.connections));
  const spread = (key) => {
    const xs = done.map((r) => r[key]).sort((a, b) => a - b);
    return { min: xs[0], median: xs[Math.floor((xs.length - 1) / 2)], max: xs.at(-1) };
  };
  const summary = {
    runs: all.length,
    passed: all.filter((r) => r.exitCode === 0).length,
    setupMs: spread("setupMs"),
    p99AbsErrorMs: spread("p99AbsErrorMs"),
    p99ErrorMs: spread("p99ErrorMs"),
  };
  return { ...first, each: all, summary };
}

async function scaleOnce(connections) {
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
  const loadBefore = loadAverage();
  const hwmOut = join(tmpdir(), `tcpdrop-bench-scale-hwm-${process.pid}-${Date.now()}`);
  const env = { ...process.env, BENCH_HWM_OUT: hwmOut };
  const t0 = nowMs();
  const cli = [join(ROOT, "bench/hwm-hook.cjs"), join(ROOT, "bin/tcpdrop.js")];
  const child = spawn(process.execPath, ["-r", cli[0], cli[1], ...args], { cwd: ROOT, env });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const peak = new Map();
  const agentPids = new Map();
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
      if (role) agentPids.set(role, (agentPids.get(role) ?? new Set()).add(pid));
    }
    await sleep(50);
  }
  const code = await done;
  const wallMs = nowMs() - t0;
  const cliPeakKb = cliPeak(hwmOut, child.pid);
  const backlogDropped = backlogDrops() - droppedBefore;
  const command = `tcpdrop ${args.join(" ")}`;
  if (code === 2) return { command, exitCode: code, wallMs, stderr };
  const run = JSON.parse(stdout).runs[0];
  const byGroup = Object.fromEntries(run.distributions.map((g) => [g.group, g]));
  const d = byGroup.idle;
  const errors = run.connections
    .filter((c) => c.id.startsWith("idle-") && c.firstFailure && c.predicted?.afterMs != null)
    .map((c) => Math.abs(c.firstFailure.afterMs - c.predicted.afterMs))
    .sort((a, b) => a - b);
  const p99Abs = errors[Math.max(0, Math.ceil(errors.length * 0.99) - 1)];
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
    p99AbsErrorMs: p99Abs === undefined ? null : Math.round(p99Abs * 10) / 10,
    load: { before: loadBefore, after: loadAverage() },
    agentsPerHost: Object.fromEntries([...agentPids].map(([role, pids]) => [role, pids.size])),
    writer: byGroup.writer && {
      count: byGroup.writer.count,
      detected: byGroup.writer.detected,
      outcome: byGroup.writer.outcome,
    },
    verdicts: run.verdicts.map((v) => `${v.pass ? "held" : "FAILED"}: ${v.expectation}`),
    agentPeakKb: Object.fromEntries(peak),
    cliPeakKb,
    backlogDropped,
  };
}

/** The CLI's own peak RSS in kB, as bench/hwm-hook.cjs wrote it when the process exited. */
function cliPeak(file, pid) {
  try {
    const line = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .find((l) => l.startsWith(`${pid} `));
    return line ? Number(line.split(" ")[1]) : null;
  } catch {
    return null;
  } finally {
    rmSync(file, { force: true });
  }
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

function loadAverage() {
  try {
    return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  } catch {
    return "?";
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const option = (name, fallback) =>
    argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback;
  const result = await scale({
    connections: option("--connections", 10000),
    runs: option("--runs", 1),
  });
  const { scaleText } = await import("./report-scale.mjs");
  console.log(scaleText({ scale: result }));
  console.log(JSON.stringify(result, null, 1));
}
