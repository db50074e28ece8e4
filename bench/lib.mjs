// Shared helpers for the benchmarks: timing child processes with process.hrtime, medians,
// /proc readers (peak RSS, CPU time, children) and a description of the machine.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus, freemem, totalmem } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The repository root (bench/..), with a trailing slash: the bench's private copy while it runs. */
export const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** The checkout the bench was started from (where BENCHMARKS.md and recorded figures live). */
export const SOURCE_ROOT = process.env.BENCH_SOURCE_ROOT
  ? `${process.env.BENCH_SOURCE_ROOT.replace(/\/$/, "")}/`
  : ROOT;

/** CLOCK_MONOTONIC in ms: the clock tcpdrop's agents stamp their events with. */
export const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Import a module from dist/ by its path under dist (e.g. "lab/lab.js"). */
export function fromDist(path) {
  return import(pathToFileURL(`${ROOT}dist/${path}`).href);
}

/** Append `value` to the array at obj[key], creating it. */
export function pushTo(obj, key, value) {
  if (!obj[key]) obj[key] = [];
  obj[key].push(value);
}

export function median(xs) {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** n, min, median, max of a sample. */
export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, min: s[0], median: median(s), max: s[s.length - 1] };
}

/** "12.3" (ms), or "—" for a missing figure. */
export function fmt(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : "—";
}

/**
 * Run a command and time it from just before spawn to its exit. Resolves with the time, the
 * exit code and signal, and stdout/stderr when `capture` is set; `onSpawn(pid)` runs at once.
 */
export function timeCommand(
  cmd,
  args,
  { cwd = ROOT, env = process.env, capture = false, onSpawn = () => {} } = {},
) {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const t0 = nowMs();
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ["ignore", capture ? "pipe" : "ignore", capture ? "pipe" : "ignore"],
    });
    let exit;
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      exit = { ms: nowMs() - t0, code, signal };
    });
    child.stdout?.on("data", (d) => {
      stdout += d;
    });
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    child.on("close", () => resolve({ ...exit, pid: child.pid, stdout, stderr }));
    onSpawn(child.pid);
  });
}

/**
 * Spawn a command and time it until its stdout starts with a line matching `ready` (an agent's
 * {"type":"ready"}); then run `atReady(pid)` and close its stdin so it exits.
 */
export function timeUntilReady(cmd, args, ready, atReady = () => {}) {
  return new Promise((resolve, reject) => {
    const t0 = nowMs();
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let buffered = "";
    let result;
    child.on("error", reject);
    child.stdout.on("data", (d) => {
      if (result) return;
      buffered += d;
      const line = buffered.split("\n")[0];
      if (buffered.includes("\n") && ready.test(line)) {
        result = { ms: nowMs() - t0, ...atReady(child.pid) };
        child.stdin.end();
      }
    });
    child.on("close", (code) => {
      if (result) resolve(result);
      else reject(new Error(`${cmd} ${args.join(" ")} exited (${code}) before it was ready`));
    });
  });
}

/** Fields of /proc/<pid>/status in kB (VmHWM: peak RSS, VmRSS: current), or null if gone. */
export function memStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
    return { hwmKb: kb("VmHWM"), rssKb: kb("VmRSS") };
  } catch {
    return null;
  }
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/** User + system CPU time a process has used so far, in ms (clock-tick resolution). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

export function comm(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

export function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** Direct children of a process: /proc/PID/task/PID/children, or a scan of /proc. */
export function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    const out = [];
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        if (ppid === pid) out.push(Number(entry));
      } catch {
        // gone
      }
    }
    return out;
  }
}

/** tcpdrop lab agents running on the machine right now (ours or another user's). */
export function agentsRunning() {
  let n = 0;
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry) && cmdline(entry).some((a) => /agent\/main\.c?js$/.test(a))) n++;
  }
  return n;
}

export function loadavg() {
  return readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
}

export function machine() {
  const sh = (cmd, args) => spawnSync(cmd, args, { encoding: "utf8" }).stdout.trim();
  return {
    nproc: sh("nproc", []),
    cpu: cpus()[0]?.model ?? "?",
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(freemem() / 2 ** 30).toFixed(1)} GiB free`,
    kernel: sh("uname", ["-r"]),
    node: process.version,
    date: new Date().toISOString(),
  };
}

/** Interleave: run each of `fns` once per round, `rounds` times, after `warmup` untimed rounds. */
export async function interleave(rounds, warmup, fns) {
  const samples = fns.map(() => []);
  for (let r = 0; r < warmup + rounds; r++) {
    for (const [i, fn] of fns.entries()) {
      const x = await fn();
      if (r >= warmup) samples[i].push(x);
    }
  }
  return samples;
}
