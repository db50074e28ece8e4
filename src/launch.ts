// How bin/tcpdrop.js starts the CLI: the bundle (dist/bundle/cli.cjs, one CommonJS file from
// scripts/bundle.mjs) is compiled with V8's code cache. Without it, every start parses the
// bundle and compiles each function the command calls (~30-40 ms of a `run`'s cold start).
// The cache is V8's own (vm.Script cachedData): bytecode that V8 checks against its version,
// its flags and the source's length, and refuses (cachedDataRejected) on any mismatch. The
// source's length alone would not tell two builds apart, so a cache file is named after the
// bundle's size and modification time too, and the build deletes every old one with the bundle.
//
// One cache per command (run, list, ...), written when the process exits after doing its work
// (exit 0 or 1), so that it holds the functions that command really ran (V8 adds those
// compiled lazily), not those of a mistyped name's one-line error. It is written only
// where there was none, or V8 refused the one there, and only if no other tcpdrop wrote one in
// the meantime (a rootless run's outer process exits after its inner one: the inner one's
// cache, made by the run itself, is the one to keep). A cache that cannot be written (a
// read-only install) is left out silently: the CLI works the same, only its start is slower.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

/** Where the cache for `command` lives, for this bundle build and this Node. */
export function cachePath(bundle: string, command: string): string {
  const { size, mtimeMs } = statSync(bundle);
  const build = `${size}-${Math.trunc(mtimeMs)}`;
  const node = `${process.version}-${process.arch}`;
  return join(dirname(bundle), "code-cache", `${command}-${node}-${build}.bin`);
}

/** The cache named for this command: its bytes, or undefined when there is none. */
function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** The file's identity now (absent: ""), to tell whether another process wrote it meanwhile. */
function identity(file: string): string {
  try {
    const { ino, mtimeMs } = statSync(file);
    return `${ino}:${mtimeMs}`;
  } catch {
    return "";
  }
}

/** tcpdrop's commands (src/program.ts), each with a cache of its own. */
export const COMMANDS = ["run", "compare", "explain", "list", "doctor", "schema", "agent"];

/** The cache's name for a command line: its command, or "cli" for none (or a mistyped one). */
export function commandOf(argv: string[]): string {
  const first = argv[2] ?? "";
  return COMMANDS.includes(first) ? first : "cli";
}

/** What loading the bundle did with the cache (the tests read it). */
export type CacheUse = "used" | "absent" | "rejected";

/**
 * Compile and run a CommonJS bundle with the code cache for `command`. The bundle runs as
 * Node runs a CommonJS module (its own require, module, __filename and __dirname).
 */
export function launch(bundle: string, command: string): CacheUse {
  const file = cachePath(bundle, command);
  const cachedData = readCache(file);
  const before = identity(file);
  const source = readFileSync(bundle, "latin1"); // ASCII (scripts/bundle.mjs): no decoding
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: bundle, cachedData });
  const use: CacheUse =
    cachedData === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "used";
  if (use !== "used")
    process.once("exit", (code) => {
      // a command that stopped at a usage or setup error (exit 2) ran too little to cache
      if (code === 0 || code === 1) writeCache(script, file, command, before);
    });
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return use;
}

/** Write the cache next to the bundle, unless another process has written one meanwhile. */
function writeCache(script: Script, file: string, command: string, before: string): void {
  if (identity(file) !== before) return;
  const partial = `${file}.${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(partial, script.createCachedData());
    renameSync(partial, file); // whole or not at all, for a tcpdrop starting at the same time
    dropOthers(file, command);
  } catch {
    // a read-only install: no cache, the same CLI (and no partial file left behind)
    try {
      rmSync(partial, { force: true });
    } catch {}
  }
}

/** One cache per command: those for an older build of the bundle or another Node go. */
function dropOthers(file: string, command: string): void {
  const dir = dirname(file);
  const name = basename(file);
  for (const other of readdirSync(dir))
    if (other !== name && other.startsWith(`${command}-v`) && other.endsWith(".bin"))
      rmSync(join(dir, other), { force: true });
}
