// Runs every built-in scenario through the built CLI (`tcpdrop run all --json ...`) for the
// phase scripts, one `run all` at a time, and returns the runs of all of them. A run that
// could not be set up (exit 2: on a busy machine an agent may not start in time) is tried
// again, up to `retries` times, and said on stderr: it measured nothing.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/**
 * `times` reports of `tcpdrop run all --json ...args`, merged: `{ kernel, runs }`, each run
 * with its repetition (1..times).
 */
export function runAll(args, options = {}) {
  return runNames(["all"], args, options);
}

/** The same for the scenarios named (`run NAME... --json ...args`). */
export function runNames(names, args, { times = 1, retries = 3 } = {}) {
  const runs = [];
  let kernel = "";
  for (let i = 1; i <= times; i++) {
    const report = once(["run", ...names, "--json", ...args], retries);
    kernel = report.kernel;
    for (const run of report.runs) runs.push({ ...run, repetition: i });
  }
  return { kernel, runs };
}

function once(args, retries) {
  for (let attempt = 0; ; attempt++) {
    const res = spawnSync(process.execPath, [`${ROOT}bin/tcpdrop.js`, ...args], {
      encoding: "utf8",
      maxBuffer: 1 << 30,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // Exit 0 or 1 (an expectation failed) has a report; 2 (setup) has none.
    if (res.status === 0 || res.status === 1) return JSON.parse(res.stdout);
    const why = (res.stderr || `exit ${res.status ?? res.signal}`).trim();
    if (attempt >= retries) throw new Error(`tcpdrop ${args.join(" ")}: ${why}`);
    process.stderr.write(`(setup failed, trying again: ${why})\n`);
  }
}
