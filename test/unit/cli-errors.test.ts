// The built CLI as a user meets it: every bad invocation is exit code 2 with exactly one line
// on stderr ("tcpdrop: ..."), no stack trace and nothing on stdout. Every case here is rejected
// before a lab is built, so none of them needs root (and none of them touches the network).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BIN = join(ROOT, "bin", "tcpdrop.js");
const BUILT_INS = readdirSync(join(ROOT, "scenarios"))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => basename(f, ".yaml"))
  .sort();

const tmp = mkdtempSync(join(tmpdir(), "tcpdrop-cli-test-"));
const MALFORMED_YAML = join(tmp, "malformed.yaml");
const SCHEMA_ERROR = join(tmp, "schema-error.yaml");
const BAD_EXPECTATION = join(tmp, "bad-expectation.yaml");
const MISSING = join(tmp, "missing.yaml");

beforeAll(() => {
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: ROOT, stdio: "pipe" });
  writeFileSync(MALFORMED_YAML, "summary: a\nwire: w\nfault: crash\nsummary: again\n");
  writeFileSync(SCHEMA_ERROR, "summary: a\nwire: w\nfault: explode\n");
  writeFileSync(
    BAD_EXPECTATION,
    'summary: a\nwire: w\nfault: crash\nexpect:\n  - "idle: predicted"\n  - "idle: recv ETIMEDOT"\n',
  );
}, 180_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function tcpdrop(...args: string[]): Result {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** [what, argv, a fragment the single stderr line must contain] */
const BAD: [string, string[], string | RegExp][] = [
  [
    "unknown scenario (suggests the closest name)",
    ["run", "host-crsh"],
    'unknown scenario "host-crsh": did you mean "host-crash"?',
  ],
  [
    "unknown scenario next to a good one",
    ["run", "host-crash", "peer-clse"],
    'did you mean "peer-close"?',
  ],
  ["unknown scenario, nothing close", ["run", "xyzzy-plugh-frobnicate"], 'unknown scenario "xyzzy'],
  ["unknown alias typo", ["run", "crash-and-rebot"], 'did you mean "crash-and-reboot"?'],
  ["unknown option", ["run", "host-crash", "--bogus"], "unknown option '--bogus'"],
  ["unknown option on list", ["list", "--bogus"], "unknown option '--bogus'"],
  ["unknown option near a real one", ["run", "host-crash", "--keepaliv", "1,1,2"], "--keepaliv"],
  ["--keepalive wrong arity", ["run", "host-crash", "--keepalive", "1,2"], "--keepalive"],
  ["--keepalive not numbers", ["run", "host-crash", "--keepalive", "a,b,c"], "--keepalive"],
  ["--keepalive zero count", ["run", "host-crash", "--keepalive", "1,1,0"], "--keepalive"],
  ["--keepalive count too big", ["run", "host-crash", "--keepalive", "1,1,128"], "--keepalive"],
  ["--keepalive missing value", ["run", "host-crash", "--keepalive"], "--keepalive"],
  ["--user-timeout zero", ["run", "host-crash", "--user-timeout", "0"], "--user-timeout 0"],
  ["--user-timeout negative", ["run", "host-crash", "--user-timeout=-5"], "--user-timeout"],
  ["--user-timeout text", ["run", "host-crash", "--user-timeout", "soon"], "--user-timeout"],
  ["--user-timeout too big", ["run", "host-crash", "--user-timeout", "3600001"], "out of range"],
  ["--retries2 zero", ["run", "host-crash", "--retries2", "0"], "--retries2 0 is out of range"],
  ["--retries2 too big", ["run", "host-crash", "--retries2", "31"], "--retries2 31"],
  ["--retries2 fraction", ["run", "host-crash", "--retries2", "2.5"], "--retries2"],
  ["--window 0", ["run", "host-crash", "--window", "0"], "--window 0 is out of range"],
  ["--window 5000", ["run", "host-crash", "--window", "5000"], "--window 5000 is out of range"],
  ["--window text", ["run", "host-crash", "--window", "forever"], "--window takes a duration"],
  ["--window negative", ["run", "host-crash", "--window=-1"], "--window"],
  ["--window too small in ms", ["run", "host-crash", "--window", "50ms"], "--window 50ms"],
  ["--grace negative", ["run", "shutdown", "--ignore-sigterm", "--grace=-1"], "--grace"],
  ["--grace too long", ["run", "shutdown", "--grace", "61"], "--grace 61 is out of range"],
  ["--grace text", ["run", "shutdown", "--grace", "a-while"], "--grace"],
  [
    "malformed --expect (unknown result)",
    ["run", "host-crash", "--expect", "idle: recv ETIMEDOT"],
    /bad --expect "idle: recv ETIMEDOT": .*column 12.*did you mean "ETIMEDOUT"/,
  ],
  [
    "malformed --expect (no colon)",
    ["run", "host-crash", "--expect", "idle recv EOF"],
    /bad --expect "idle recv EOF": .*column 6/,
  ],
  [
    "malformed second --expect",
    ["run", "host-crash", "--expect", "idle: predicted", "--expect", "writer: recv"],
    'bad --expect "writer: recv"',
  ],
  ["empty --expect", ["run", "host-crash", "--expect", ""], 'bad --expect ""'],
  ["scenario file that does not exist", ["run", MISSING], `${MISSING}: no such file`],
  ["relative scenario path that does not exist", ["run", "./nope.yaml"], "no such file"],
  ["malformed YAML scenario file", ["run", MALFORMED_YAML], `${MALFORMED_YAML}:4:1: invalid YAML`],
  ["scenario file with a schema error", ["run", SCHEMA_ERROR], `${SCHEMA_ERROR}: fault: `],
  [
    "scenario file with a bad expectation",
    ["run", BAD_EXPECTATION],
    /: expect\.1: bad --expect "idle: recv ETIMEDOT".*column 12/,
  ],
  ["no scenario named", ["run"], "missing required argument 'scenario'"],
  ["no scenario named, only flags", ["run", "--window", "5"], "missing required argument"],
  ["unknown command", ["frobnicate"], "unknown command 'frobnicate'"],
  ["unknown command near a real one", ["lst"], "unknown command 'lst'"],
  ["unknown top-level option", ["--bogus"], "unknown option '--bogus'"],
];

describe("bad invocations of the built CLI", () => {
  it("covers at least 25 cases", () => {
    expect(BAD.length).toBeGreaterThanOrEqual(25);
  });

  it.each(BAD)("%s", (_what, argv, fragment) => {
    const r = tcpdrop(...argv);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain("    at ");
    expect(r.stderr).not.toContain("internal error");
    expect(r.stderr.endsWith("\n")).toBe(true);
    const lines = r.stderr.split("\n").slice(0, -1);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line.startsWith("tcpdrop: ")).toBe(true);
    expect(line.length).toBeGreaterThan("tcpdrop: ".length);
    if (typeof fragment === "string") expect(line).toContain(fragment);
    else expect(line).toMatch(fragment);
    expect(r.status).toBe(2);
  });
});

describe("good invocations that need no lab", () => {
  it("list prints one line per scenario and exits 0", () => {
    const r = tcpdrop("list");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const lines = r.stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(BUILT_INS.length);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(BUILT_INS);
    expect(lines.find((l) => l.startsWith("crash-reboot"))).toContain("(alias: crash-and-reboot)");
  });

  it("list --json prints every scenario as JSON", () => {
    const r = tcpdrop("list", "--json");
    expect(r.status).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; fault: string; summary: string }[];
    expect(rows.map((row) => row.name)).toEqual(BUILT_INS);
    for (const row of rows) {
      expect(row.summary.length).toBeGreaterThan(0);
      expect(row.fault.length).toBeGreaterThan(0);
    }
  });

  it("--version prints 0.1.0", () => {
    const r = tcpdrop("--version");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("0.1.0\n");
    expect(r.stderr).toBe("");
  });

  it("run --help exits 0 and mentions every flag", () => {
    const r = tcpdrop("run", "--help");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain("Usage: tcpdrop run [options] <scenario...>");
    for (const flag of [
      "--keepalive",
      "--user-timeout",
      "--retries2",
      "--window",
      "--ignore-sigterm",
      "--grace",
      "--expect",
      "--json",
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });
});
