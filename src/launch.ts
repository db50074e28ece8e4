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
import { homedir } from "node:os";
import { basename, dirname, join } from "node:path";
import { Script } from "node:vm";

/** Where the cache for `command` lives, for this bundle build and this Node. */
export function cachePath(bundle: string, command: string): string {
  return join(dirname(bundle), "code-cache", `${command}-${buildName(bundle)}.bin`);
}

/** The same in the user's cache directory, where the bundle's path tells installs apart. */
export function userCachePath(bundle: string, command: string): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  const install = fnv1a(bundle).toString(16).padStart(8, "0");
  return join(base, "tcpdrop", "code-cache", `${command}-${buildName(bundle)}-${install}.bin`);
}

function buildName(bundle: string): string {
  const { size, mtimeMs } = statSync(bundle);
  return `${process.version}-${process.arch}-${size}-${Math.trunc(mtimeMs)}`;
}

/** FNV-1a, 32 bits: a short name for the install's path (not a secret, not a check). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Does the nearest existing directory on the way to `file` belong to this process's user?
 * (root with a user's $HOME, under sudo, makes nothing there) */
function ours(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    try {
      return statSync(dir).uid === (process.geteuid?.() ?? -1);
    } catch {
      if (dir === dirname(dir)) return false;
    }
  }
}

/** A file and its directory that only this process's user owns and may write. */
function ownedAlone(file: string): boolean {
  const uid = process.geteuid?.() ?? -1;
  try {
    return [file, dirname(file)].every((path) => {
      const { uid: owner, mode } = statSync(path);
      return owner === uid && (mode & 0o022) === 0;
    });
  } catch {
    return false;
  }
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
  const installed = cachePath(bundle, command);
  const own = userCachePath(bundle, command);
  // the install's cache, or else the user's own (only where no one else could have written it)
  let cachedData = readCache(installed);
  if (cachedData === undefined && ownedAlone(own)) cachedData = readCache(own);
  const before = [identity(installed), identity(own)];
  const source = readFileSync(bundle, "latin1"); // ASCII (scripts/bundle.mjs): no decoding
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new Script(wrapped, { filename: bundle, cachedData });
  const use: CacheUse =
    cachedData === undefined ? "absent" : script.cachedDataRejected ? "rejected" : "used";
  if (use !== "used")
    process.once("exit", (code) => {
      // a command that stopped at a usage or setup error (exit 2) ran too little to cache
      if (code !== 0 && code !== 1) return;
      if (identity(installed) !== before[0] || identity(own) !== before[1]) return;
      if (!writeCache(script, installed, command) && ours(own))
        writeCache(script, own, command, 0o700);
    });
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  return use;
}

/** Write the cache (the directory made with `mode`); false when it cannot be written there. */
function writeCache(script: Script, file: string, command: string, mode?: number): boolean {
  const partial = `${file}.${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true, ...(mode === undefined ? {} : { mode }) });
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file); // whole or not at all, for a tcpdrop starting at the same time
    dropOthers(file, command);
    return true;
  } catch {
    // read-only here (and no partial file left behind)
    try {
      rmSync(partial, { force: true });
    } catch {}
    return false;
  }
}

/**
 * One cache per command: those for an older build of the bundle or another Node go (in the
 * user's directory, those of the same install only: its name ends the same).
 */
function dropOthers(file: string, command: string): void {
  const dir = dirname(file);
  const name = basename(file);
  const install = installOf(name);
  for (const other of readdirSync(dir))
    if (other !== name && other.startsWith(`${command}-v`) && installOf(other) === install)
      rmSync(join(dir, other), { force: true });
}

/** A cache name's install suffix ("-1a2b3c4d.bin" in the user's directory, "" next to the bundle); null: no cache. */
function installOf(name: string): string | null {
  if (!name.endsWith(".bin")) return null;
  return /-[0-9a-f]{8}\.bin$/.exec(name)?.[0] ?? "";
}
