// The build the bench measures: a private copy of dist/, bin/, scenarios/, package.json and bench/
// taken at its start (node_modules linked), so that a rebuild of dist/ during the run cannot mix
// two builds; the copy re-runs bench/run.mjs with BENCH_SOURCE_ROOT set to the checkout. Also what
// that build is: the checkout's commit, and whether src/ has files newer than dist/.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

/** Copy the build, run `bench/run.mjs args` from the copy, and exit with its status. */
export function runFromSnapshot(root, args) {
  const snap = mkdtempSync(join(tmpdir(), "tcpdrop-bench-"));
  try {
    for (const item of ["dist", "bin", "scenarios", "package.json", "bench"]) {
      cpSync(join(root, item), join(snap, item), { recursive: true, preserveTimestamps: true });
    }
    symlinkSync(join(root, "node_modules"), join(snap, "node_modules"));
    // The copy handles Ctrl-C (it ends its labs); this process only waits for it.
    for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => {});
    const child = spawnSync(process.execPath, [join(snap, "bench/run.mjs"), ...args], {
      stdio: "inherit",
      env: { ...process.env, BENCH_SOURCE_ROOT: root },
    });
    process.exitCode = child.status ?? 1;
  } finally {
    rmSync(snap, { recursive: true, force: true });
  }
  process.exit();
}

/** src files newer than the copy's dist output: the figures are then for older code. */
export function staleDist(sourceRoot, snapRoot) {
  const stale = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith(".ts")) {
        const rel = relative(join(sourceRoot, "src"), path);
        const js = join(snapRoot, "dist", rel).replace(/\.ts$/, ".js");
        if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) {
          stale.push(`src/${rel}`);
        }
      }
    }
  };
  if (existsSync(join(sourceRoot, "src"))) walk(join(sourceRoot, "src"));
  return stale;
}

/** The checkout's commit and branch ("2926e2a (bench)"), plus "+ changes" when it has any. */
export function headCommit(sourceRoot) {
  const git = (args) => spawnSync("git", ["-C", sourceRoot, ...args], { encoding: "utf8" });
  const head = git(["rev-parse", "--short=7", "HEAD"]);
  if (head.status !== 0) return "?";
  const branch = git(["rev-parse", "--abbrev-ref", "HEAD"]).stdout.trim();
  const dirty = git(["status", "--porcelain", "--", "src", "scenarios", "bin", "package.json"]);
  const changes = dirty.stdout.trim() ? " + uncommitted changes in src/, scenarios/ or bin/" : "";
  return `${head.stdout.trim()} (${branch})${changes}`;
}
