// CLI start-up against bare node (`--help`, `list`), and where it goes: each dependency's and
// command module's import time in a fresh node. The suite (`run all`) is bench/suite.mjs.
import { readFileSync } from "node:fs";
import { interleave, ROOT, stats, timeCommand } from "./lib.mjs";

const node = process.execPath;
const CLI = `${ROOT}bin/tcpdrop.js`;

export async function cliStartup({ rounds, warmup }) {
  const variants = [
    { label: "`node -e 0`", args: ["-e", "0"] },
    { label: "`node bin/tcpdrop.js --help`", args: [CLI, "--help"] },
    { label: "`node bin/tcpdrop.js list`", args: [CLI, "list"] },
  ];
  const samples = await interleave(
    rounds,
    warmup,
    variants.map((v) => async () => {
      const r = await timeCommand(node, v.args, { capture: true });
      if (r.code !== 0) throw new Error(`${v.label} exited ${r.code}: ${r.stderr.trim()}`);
      if (v.args[0] !== "-e" && !r.stdout.trim()) throw new Error(`${v.label} printed nothing`);
      return r.ms;
    }),
  );
  return variants.map((v, i) => ({ label: v.label, wall: stats(samples[i]) }));
}

/**
 * Where the CLI's start-up goes: each module's import time measured inside a fresh node
 * (performance.now() around `await import()`), the modules alternating round by round.
 */
export async function importCosts({ rounds, warmup }) {
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8"));
  const modules = [
    ...Object.keys(pkg.dependencies ?? {}).map((name) => ({
      label: `\`${name}\``,
      spec: name,
      agentsOnly: name === "koffi",
    })),
    { label: "dist/commands/list.js (tsc's unbundled `list`)", spec: "./dist/commands/list.js" },
    { label: "dist/commands/run.js (tsc's unbundled `run`)", spec: "./dist/commands/run.js" },
  ];
  const samples = await interleave(
    rounds,
    warmup,
    modules.map((m) => async () => {
      const code = `const t = performance.now(); await import(${JSON.stringify(m.spec)}); process.stdout.write(String(performance.now() - t));`;
      const r = await timeCommand(node, ["--input-type=module", "-e", code], { capture: true });
      if (r.code !== 0) throw new Error(`importing ${m.spec} failed: ${r.stderr.trim()}`);
      return Number(r.stdout);
    }),
  );
  return modules.map((m, i) => ({ ...m, ms: stats(samples[i]) }));
}
