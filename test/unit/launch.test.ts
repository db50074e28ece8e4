// src/launch.ts, the way bin/tcpdrop.js starts the bundle: a CommonJS file compiled with V8's
// code cache, the cache written at exit where there was none or V8 refused it. Each case is a
// real Node process (the cache is written as it exits) running a small bundle in a temporary
// directory, through dist/bundle/launch.cjs, the build of it that bin/tcpdrop.js requires.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COMMANDS, cachePath, commandOf, userCachePath } from "../../src/launch.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const LAUNCH = join(ROOT, "dist", "bundle", "launch.cjs");

/** A bundle that says what it was given, exits with $EXIT (1) and may write over its own cache. */
const BUNDLE = `
if (process.env.OVERWRITE) require("node:fs").writeFileSync(process.env.OVERWRITE, "someone else's");
process.stdout.write(JSON.stringify({ require: typeof require, filename: __filename, dirname: __dirname, exports: module.exports === exports }));
process.exitCode = Number(process.env.EXIT ?? 1);
`;

let dir: string;
let bundle: string;
const xdg = process.env.XDG_CACHE_HOME;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tcpdrop-launch-"));
  bundle = join(dir, "cli.cjs");
  writeFileSync(bundle, BUNDLE);
  // the user's cache directory is the test's own, never the real one
  process.env.XDG_CACHE_HOME = join(dir, "xdg");
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (xdg === undefined) delete process.env.XDG_CACHE_HOME;
  else process.env.XDG_CACHE_HOME = xdg;
});

/** Launch the bundle in a Node process of its own: what it printed, the cache's use, the exit. */
function launchOnce(env: Record<string, string> = {}) {
  const code = `process.stderr.write(require(${JSON.stringify(LAUNCH)}).launch(process.argv[1], "run"));`;
  const run = spawnSync(process.execPath, ["-e", code, bundle], {
    encoding: "utf8",
    env: { ...process.env, ...env },
  });
  return { status: run.status, use: run.stderr, printed: JSON.parse(run.stdout || "null") };
}

describe("launch: the bundle with V8's code cache", () => {
  it("runs the bundle as a CommonJS module and keeps its exit code", () => {
    const { status, printed } = launchOnce();
    expect(status).toBe(1);
    expect(printed).toEqual({ require: "function", filename: bundle, dirname: dir, exports: true });
  });

  it("writes the cache at the first start and uses it at the next", () => {
    expect(launchOnce().use).toBe("absent");
    const file = cachePath(bundle, "run");
    expect(existsSync(file)).toBe(true);
    expect(readdirSync(dirname(file))).toEqual([file.split("/").at(-1)]); // no partial file left
    const second = launchOnce();
    expect(second.use).toBe("used");
    expect(second.status).toBe(1);
  });

  it("writes no cache for a command that ended in a usage or setup error (exit 2)", () => {
    const { status, use } = launchOnce({ EXIT: "2" });
    expect([status, use]).toEqual([2, "absent"]);
    expect(existsSync(cachePath(bundle, "run"))).toBe(false);
    expect(launchOnce({ EXIT: "0" }).status).toBe(0);
    expect(existsSync(cachePath(bundle, "run"))).toBe(true);
  });

  it("replaces a cache V8 refuses", () => {
    launchOnce();
    const file = cachePath(bundle, "run");
    writeFileSync(file, "not a code cache");
    expect(launchOnce().use).toBe("rejected");
    expect(readFileSync(file, "latin1")).not.toBe("not a code cache");
    expect(launchOnce().use).toBe("used");
  });

  it("names the cache after the bundle's build, so a rebuilt bundle never meets an old cache", () => {
    launchOnce();
    const before = cachePath(bundle, "run");
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(cachePath(bundle, "run")).not.toBe(before);
    expect(launchOnce().use).toBe("absent");
    expect(cachePath(bundle, "run")).toContain(`${process.version}-${process.arch}`);
    expect(existsSync(before)).toBe(false); // the old build's cache went with the new one
    expect(readdirSync(dirname(before))).toEqual([cachePath(bundle, "run").split("/").at(-1)]);
  });

  it("keeps a cache another process wrote while this one ran", () => {
    const file = cachePath(bundle, "run");
    expect(launchOnce({ OVERWRITE: "/dev/null" }).use).toBe("absent"); // makes the directory
    rmSync(file);
    launchOnce({ OVERWRITE: file });
    expect(readFileSync(file, "utf8")).toBe("someone else's");
  });

  it("runs the same without a cache where none can be written", () => {
    writeFileSync(join(dir, "code-cache"), "a file where the directory would be");
    writeFileSync(join(dir, "xdg"), "and where the user's would be");
    const { status, use, printed } = launchOnce();
    expect([status, use, printed.require]).toEqual([1, "absent", "function"]);
    expect(readdirSync(dir).sort()).toEqual(["cli.cjs", "code-cache", "xdg"]);
  });

  it("keeps the cache in the user's directory where the install cannot be written", () => {
    writeFileSync(join(dir, "code-cache"), "a read-only install");
    const own = userCachePath(bundle, "run");
    expect(own.startsWith(join(dir, "xdg", "tcpdrop", "code-cache"))).toBe(true);
    expect(launchOnce().use).toBe("absent");
    expect(existsSync(own)).toBe(true);
    expect(statSync(dirname(own)).mode & 0o777).toBe(0o700);
    expect(statSync(own).mode & 0o777).toBe(0o600);
    expect(launchOnce().use).toBe("used");
    // another install's caches there are its own: a rebuild here leaves them
    const other = own.replace(/-[0-9a-f]{8}\.bin$/, "-0badcafe.bin");
    writeFileSync(other, "another install's");
    utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(launchOnce().use).toBe("absent");
    expect(readdirSync(dirname(own)).sort()).toEqual(
      [userCachePath(bundle, "run"), other].map((f) => f.split("/").at(-1)).sort(),
    );
  });

  it("never runs bytecode from a user directory that someone else may write", () => {
    writeFileSync(join(dir, "code-cache"), "a read-only install");
    launchOnce();
    const own = userCachePath(bundle, "run");
    chmodSync(dirname(own), 0o777);
    expect(launchOnce().use).toBe("absent");
    chmodSync(dirname(own), 0o700);
    chmodSync(own, 0o666);
    expect(launchOnce().use).toBe("absent");
  });

  it.skipIf(process.geteuid?.() !== 0)(
    "root with a user's cache directory (sudo keeping $HOME) neither reads nor writes it",
    () => {
      writeFileSync(join(dir, "code-cache"), "a read-only install");
      const home = join(dir, "xdg");
      mkdirSync(home);
      chownSync(home, 65534, 65534);
      expect(launchOnce().use).toBe("absent");
      expect(readdirSync(home)).toEqual([]);
    },
  );

  it("names the cache after the command, or cli when there is none", () => {
    expect(commandOf(["node", "tcpdrop", "run", "peer-close"])).toBe("run");
    expect(commandOf(["node", "tcpdrop", "--help"])).toBe("cli");
    expect(commandOf(["node", "tcpdrop"])).toBe("cli");
    expect(commandOf(["node", "tcpdrop", "../etc"])).toBe("cli");
    expect(commandOf(["node", "tcpdrop", "frobnicate"])).toBe("cli"); // no cache per typo
  });

  it("knows every command the CLI has", async () => {
    const { buildProgram } = await import("../../src/program.js");
    const names = buildProgram(() => {}).commands.map((c) => c.name());
    expect([...names].sort()).toEqual([...COMMANDS].sort());
  });
});
