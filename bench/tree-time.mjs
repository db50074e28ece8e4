// Whole-process timing for the issue-15 targets: the wall time and the CPU time (user + sys) of a
// command together with every descendant it waited for, as bash's `time` keyword reports them
// (wall around fork/exec/wait; CPU from getrusage(RUSAGE_CHILDREN) after the child has exited,
// which includes the grandchildren the child reaped: tcpdrop's agents, `ip`, `nft`...). The
// same method times tcpdrop and packetdrill, so their figures compare. A descendant that outlives
// the command, or that the command never reaps, is not counted: the bench checks that tcpdrop
// leaves no agent behind (section "Conditions").
import { spawn } from "node:child_process";
import { ROOT } from "./lib.mjs";

const MARK = "@@tcpdrop-bench-time";
// `time` is a bash keyword: it prints after the command exits, in the format below (ms precision),
// on bash's stderr, after anything the command itself wrote there.
const SCRIPT = `TIMEFORMAT="${MARK} %3R %3U %3S"; time "$@"`;

/**
 * Run `cmd args` under bash's `time`; resolves with wallS, userS, sysS, cpuS (user + sys, in
 * seconds), the exit code, and the command's stdout and stderr (the timing line removed).
 */
export function timeTree(cmd, args, { cwd = ROOT, env = process.env } = {}) {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const child = spawn("bash", ["-c", SCRIPT, "bench-time", cmd, ...args], {
      cwd,
      env: { ...env, LC_NUMERIC: "C" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.on("error", reject);
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code, signal) => {
      const lines = stderr.split("\n");
      const at = lines.findLastIndex((l) => l.startsWith(`${MARK} `));
      if (at < 0) {
        reject(new Error(`${cmd} ${args.join(" ")}: no timing (bash ${code ?? signal})`));
        return;
      }
      const [wallS, userS, sysS] = lines[at].split(" ").slice(1).map(Number);
      lines.splice(at, 1);
      resolve({
        wallS,
        userS,
        sysS,
        cpuS: userS + sysS,
        code,
        stdout,
        stderr: lines.join("\n"),
      });
    });
  });
}

/** What a failed command said: tcpdrop's one-line reason, or a crash's error line. */
export function failureLine(stderr) {
  const lines = stderr
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return (
    lines.find((l) => l.startsWith("tcpdrop:")) ??
    lines.find((l) => /^\w*Error\b/.test(l)) ??
    lines.filter((l) => !l.startsWith("Node.js v")).pop() ??
    "(nothing on stderr)"
  );
}

/** The JSON report a run printed, or null (a setup error, or a crash before the report). */
export function reportOf(result) {
  if (result.code !== 0 && result.code !== 1) return null;
  try {
    return JSON.parse(result.stdout);
  } catch {
    return null;
  }
}
