import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveScenarios } from "../../src/commands/run.js";
import { UsageError } from "../../src/errors.js";
import { FAULT_NAMES } from "../../src/faults/index.js";
import { applicableExpectations } from "../../src/runner/when.js";
import { closest, editDistance } from "../../src/scenario/closest.js";
import {
  builtInNames,
  loadBuiltIns,
  loadFile,
  loadScenario,
  prepareScenarios,
  type Scenario,
} from "../../src/scenario/load.js";
import { parseScenario } from "../../src/scenario/parse.js";
import type { Settings } from "../../src/types.js";

const EXPECTED_BUILT_INS = [
  "backlog-full",
  "backlog-full-abort",
  "client-crash",
  "connect-dead-host",
  "connect-refused",
  "conntrack-flush",
  "crash-reboot",
  "half-close",
  "host-crash",
  "host-unreachable",
  "lb-idle-timeout",
  "middlebox-reset",
  "nat-idle-timeout",
  "net-unreachable",
  "partition-heal",
  "peer-abort",
  "peer-close",
  "peer-freeze",
  "peer-kill",
  "server-restart",
  "shutdown",
  "unread-close",
];

/** The UsageError `fn` throws; fails the test if it throws nothing or something else. */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError, but nothing was thrown");
}

const tmp = mkdtempSync(join(tmpdir(), "tcpdrop-scenario-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Scenario files of one's own need the file reader (yaml, zod), which commands load on demand.
beforeAll(() => prepareScenarios([join(tmp, "any.yaml")]));

const VALID = `summary: A test scenario.
wire: Something happens on the wire.
fault: crash
`;

describe("built-in scenarios", () => {
  const all = loadBuiltIns();

  it("finds exactly the shipped scenario files, sorted", () => {
    expect(builtInNames()).toEqual(EXPECTED_BUILT_INS);
    expect(all.map((s) => s.name)).toEqual(EXPECTED_BUILT_INS);
  });

  it.each(EXPECTED_BUILT_INS)(
    "%s has a summary, a wire story, a fault and expectations",
    (name) => {
      const s = all.find((x) => x.name === name);
      expect(s).toBeDefined();
      const scenario = s as Scenario;
      expect(scenario.summary.trim().length).toBeGreaterThan(10);
      // One line: `tcpdrop list` prints it on one line.
      expect(scenario.summary).not.toContain("\n");
      expect(scenario.wire.trim().length).toBeGreaterThan(20);
      expect(FAULT_NAMES).toContain(scenario.fault);
      expect(scenario.expectations.length).toBeGreaterThanOrEqual(1);
      for (const e of scenario.expectations) {
        expect(e.text.length).toBeGreaterThan(0);
        expect(e.expectation.conn).toMatch(/^[a-z]/);
      }
      expect(scenario.file.endsWith(`${name}.yaml`)).toBe(true);
      // Every expectation names a connection the scenario watches.
      for (const e of scenario.expectations)
        expect(scenario.workloads).toContain(e.expectation.conn);
    },
  );

  it("maps each scenario to the fault it is named after", () => {
    const faults = Object.fromEntries(all.map((s) => [s.name, s.fault]));
    expect(faults).toEqual({
      "backlog-full": "backlog-full",
      "backlog-full-abort": "backlog-full-abort",
      "client-crash": "crash",
      "connect-dead-host": "connect-dead-host",
      "connect-refused": "connect-refused",
      "conntrack-flush": "conntrack-flush",
      "crash-reboot": "crash-reboot",
      "half-close": "half-close",
      "host-crash": "crash",
      "host-unreachable": "host-unreachable",
      "lb-idle-timeout": "lb-idle-timeout",
      "middlebox-reset": "middlebox-reset",
      "nat-idle-timeout": "nat-idle-timeout",
      "net-unreachable": "net-unreachable",
      "partition-heal": "partition",
      "peer-abort": "abort",
      "peer-close": "close",
      "peer-freeze": "freeze",
      "peer-kill": "kill",
      "server-restart": "restart",
      shutdown: "shutdown",
      "unread-close": "unread-close",
    });
  });

  it("applies schema defaults (aliases, rebootAfterMs)", () => {
    const hostCrash = loadScenario("host-crash");
    expect(hostCrash.aliases).toEqual([]);
    expect(hostCrash.rebootAfterMs).toBe(1000);
  });

  it("has no alias that collides with a scenario name or another alias", () => {
    const names = all.flatMap((s) => [s.name, ...s.aliases]);
    expect(new Set(names).size).toBe(names.length);
  });

  it("keeps the `when:` condition of an expectation entry", () => {
    const shutdown = loadScenario("shutdown");
    expect(shutdown.expectations.map((e) => e.when)).toEqual([
      { ignoreSigterm: false },
      null,
      null,
    ]);
    expect(shutdown.expectations[0].text).toBe("idle: recv EOF within 0s..0.5s");
  });
});

describe("loadScenario", () => {
  it("resolves a name", () => {
    expect(loadScenario("peer-kill").name).toBe("peer-kill");
  });

  it("resolves the alias crash-and-reboot to crash-reboot", () => {
    const s = loadScenario("crash-and-reboot");
    expect(s.name).toBe("crash-reboot");
    expect(s.fault).toBe("crash-reboot");
    expect(s.aliases).toContain("crash-and-reboot");
  });

  it('suggests the closest name for a typo ("host-crsh")', () => {
    const err = usageError(() => loadScenario("host-crsh"));
    expect(err.message).toContain('unknown scenario "host-crsh"');
    expect(err.message).toContain('did you mean "host-crash"');
    expect(err.message).toContain("tcpdrop list");
  });

  it("suggests an alias when the alias is the closest", () => {
    const err = usageError(() => loadScenario("crash-and-rebot"));
    expect(err.message).toContain('did you mean "crash-and-reboot"');
  });

  it("makes no suggestion for a name that is nothing like any scenario", () => {
    const err = usageError(() => loadScenario("xyzzy-plugh-frobnicate"));
    expect(err.message).not.toContain("did you mean");
    expect(err.message).toContain('unknown scenario "xyzzy-plugh-frobnicate"');
  });

  it("treats anything with a / or a .yaml/.yml extension as a file path", () => {
    expect(usageError(() => loadScenario("host-crash.yaml")).message).toContain("no such file");
    expect(usageError(() => loadScenario("./host-crash")).message).toContain("no such file");
    expect(usageError(() => loadScenario("host-crash.yml")).message).toContain("no such file");
  });

  it("loads a scenario file by path and names it after the file", () => {
    const path = join(tmp, "my-own.yml");
    writeFileSync(path, `${VALID}expect:\n  - "writer: send ETIMEDOUT"\n`);
    const s = loadScenario(path);
    expect(s.name).toBe("my-own");
    expect(s.file).toBe(path);
    expect(s.expectations).toHaveLength(1);
  });
});

describe("closest", () => {
  it("computes edit distances", () => {
    expect(editDistance("host-crsh", "host-crash")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });

  it("returns the nearest name within the limit, else null", () => {
    expect(closest("shutdwn", EXPECTED_BUILT_INS)).toBe("shutdown");
    expect(closest("peer-kil", EXPECTED_BUILT_INS)).toBe("peer-kill");
    expect(closest("zzzzzzzz", EXPECTED_BUILT_INS)).toBeNull();
  });

  it("accepts a prefix of the nearest name even when it is beyond the distance limit", () => {
    // "peer-" is 4 edits from peer-kill (limit 2) but is a prefix of it.
    expect(closest("peer-", EXPECTED_BUILT_INS)).toBe("peer-kill");
  });
});

describe("resolveScenarios", () => {
  it('expands "all" to every built-in, each once, in order', () => {
    const names = resolveScenarios(["all"]).map((s) => s.name);
    expect(names).toEqual(EXPECTED_BUILT_INS);
  });

  it("removes duplicates (a name and its alias) keeping the first position", () => {
    const names = resolveScenarios(["shutdown", "crash-and-reboot", "crash-reboot", "all"]).map(
      (s) => s.name,
    );
    expect(names).toEqual([
      "shutdown",
      "crash-reboot",
      ...EXPECTED_BUILT_INS.filter((n) => n !== "shutdown" && n !== "crash-reboot"),
    ]);
  });

  it("requires at least one name", () => {
    const err = usageError(() => resolveScenarios([]));
    expect(err.message).toContain("name a scenario to run");
  });

  it("fails on the first unknown name", () => {
    const err = usageError(() => resolveScenarios(["host-crash", "peer-clse"]));
    expect(err.message).toContain('did you mean "peer-close"');
  });
});

describe("parseScenario errors", () => {
  it("parses a minimal valid scenario with defaults", () => {
    const s = parseScenario(VALID, "mem.yaml", "mem");
    expect(s).toMatchObject({
      name: "mem",
      file: "mem.yaml",
      summary: "A test scenario.",
      fault: "crash",
      aliases: [],
      rebootAfterMs: 1000,
      workloads: ["idle", "writer"],
      expectations: [],
    });
  });

  it("reports malformed YAML as file:LINE:COL", () => {
    // A duplicate key on line 2.
    const text = "summary: a\nsummary: b\nwire: w\nfault: crash\n";
    const err = usageError(() => parseScenario(text, "dup.yaml", "dup"));
    expect(err.message).toMatch(/^dup\.yaml:2:1: invalid YAML: /);
    expect(err.message).not.toContain("\n");
  });

  it("reports the line and column of a bad indentation", () => {
    const text = "summary: x\n  wire: y\n";
    const err = usageError(() => parseScenario(text, "indent.yaml", "indent"));
    expect(err.message).toMatch(/^indent\.yaml:1:10: invalid YAML: /);
  });

  it("reports an unclosed flow sequence at the line where the document ends", () => {
    const text = "summary: x\nwire: y\nfault: [crash\n";
    const err = usageError(() => parseScenario(text, "flow.yaml", "flow"));
    expect(err.message).toMatch(/^flow\.yaml:\d+:\d+: invalid YAML: /);
    expect(err.message).not.toContain("\n");
  });

  it('names the field "fault" when the fault is unknown', () => {
    const text = VALID.replace("fault: crash", "fault: explode");
    const err = usageError(() => parseScenario(text, "f.yaml", "f"));
    expect(err.message).toMatch(/^f\.yaml: fault: Invalid option/);
    expect(err.message).toContain('"crash-reboot"');
  });

  it("names a missing required field", () => {
    const text = "summary: x\nfault: crash\n";
    const err = usageError(() => parseScenario(text, "m.yaml", "m"));
    expect(err.message).toMatch(/^m\.yaml: wire: /);
  });

  it("names the entry of a bad expectation object (expect.1)", () => {
    const text = `${VALID}expect:
  - "idle: predicted"
  - expect: "idle: recv EOF"
    when: { keepalive: yes, bogus: true }
`;
    const err = usageError(() => parseScenario(text, "e.yaml", "e"));
    expect(err.message).toMatch(/^e\.yaml: expect\.1(\.|:)/);
  });

  it("names a nested array element (workloads.1)", () => {
    const text = `${VALID}workloads: [idle, reader]\n`;
    const err = usageError(() => parseScenario(text, "w.yaml", "w"));
    expect(err.message).toMatch(/^w\.yaml: workloads\.1: Invalid option/);
  });

  it("rejects a bad alias and an out-of-range rebootAfterMs by field", () => {
    const alias = usageError(() => parseScenario(`${VALID}aliases: [Bad_Alias]\n`, "a.yaml", "a"));
    expect(alias.message).toMatch(/^a\.yaml: aliases\.0: /);
    const reboot = usageError(() => parseScenario(`${VALID}rebootAfterMs: 60001\n`, "r.yaml", "r"));
    expect(reboot.message).toMatch(/^r\.yaml: rebootAfterMs: /);
  });

  it("rejects unknown keys at the top level", () => {
    const err = usageError(() => parseScenario(`${VALID}bogus: 1\n`, "u.yaml", "u"));
    expect(err.message).toMatch(/^u\.yaml: \(top level\): /);
    expect(err.message).toContain("bogus");
  });

  it("rejects an empty file and a non-mapping document", () => {
    expect(usageError(() => parseScenario("", "empty.yaml", "empty")).message).toMatch(
      /^empty\.yaml: \(top level\): /,
    );
    expect(usageError(() => parseScenario("- a\n- b\n", "l.yaml", "l")).message).toMatch(
      /^l\.yaml: \(top level\): .*array/,
    );
  });

  it("reports a bad expectation string as expect.N with its column", () => {
    const text = `${VALID}expect:
  - "idle: predicted"
  - "writer: predicted"
  - "idle: recv ETIMEDOT"
`;
    const err = usageError(() => parseScenario(text, "x.yaml", "x"));
    expect(err.message).toMatch(/^x\.yaml: expect\.2: /);
    expect(err.message).toContain('"ETIMEDOT"');
    expect(err.message).toContain("at column 12");
    expect(err.message).toContain('did you mean "ETIMEDOUT"');
  });

  it("reports a bad expectation inside an object entry as expect.N", () => {
    const text = `${VALID}expect:
  - expect: "idle recv EOF"
    when: { keepalive: true }
`;
    const err = usageError(() => parseScenario(text, "o.yaml", "o"));
    expect(err.message).toMatch(/^o\.yaml: expect\.0: .*at column 6/);
  });
});

describe("loadFile", () => {
  it('says "no such file" for a missing path', () => {
    const path = join(tmp, "does-not-exist.yaml");
    const err = usageError(() => loadFile(path));
    expect(err.message).toBe(`cannot read scenario file ${path}: no such file`);
  });

  it("uses the path in YAML error positions", () => {
    const path = join(tmp, "broken.yaml");
    writeFileSync(path, "summary: a\nwire: w\nwire: again\nfault: crash\n");
    const err = usageError(() => loadFile(path));
    expect(err.message.startsWith(`${path}:3:1: invalid YAML`)).toBe(true);
  });

  it("uses the path in schema errors", () => {
    const path = join(tmp, "schema.yaml");
    writeFileSync(path, VALID.replace("crash", "meteor"));
    const err = usageError(() => loadFile(path));
    expect(err.message.startsWith(`${path}: fault: `)).toBe(true);
  });
});

describe("applicableExpectations (when:)", () => {
  const base: Settings = {
    keepalive: null,
    userTimeoutMs: null,
    retries2: null,
    windowS: 10,
    ignoreSigterm: false,
    graceMs: 2000,
  };
  const texts = (s: Scenario, settings: Settings) =>
    applicableExpectations(s, settings).map((e) =>
      "conn" in e ? `${e.conn}:${e.kind}` : String(e),
    );

  const scenario = parseScenario(
    `${VALID}expect:
  - "idle: predicted"
  - expect: "idle: recv ETIMEDOUT"
    when: { keepalive: true }
  - expect: "idle: none within 5s"
    when: { keepalive: false }
  - expect: "writer: send ETIMEDOUT"
    when: { keepalive: true, userTimeout: true }
  - expect: "writer: recv EOF"
    when: { ignoreSigterm: true }
  - expect: "writer: predicted"
    when: {}
`,
    "when.yaml",
    "when",
  );

  it("keeps unconditional entries and those whose conditions all hold", () => {
    expect(texts(scenario, base)).toEqual(["idle:predicted", "idle:none", "writer:predicted"]);
  });

  it("applies keepalive: true only when keepalive is set", () => {
    const ka = { ...base, keepalive: { idle: 1, interval: 1, count: 2 } };
    expect(texts(scenario, ka)).toEqual(["idle:predicted", "idle:result", "writer:predicted"]);
  });

  it("needs every condition of an entry to hold", () => {
    const both = { ...base, keepalive: { idle: 1, interval: 1, count: 2 }, userTimeoutMs: 3000 };
    const got = applicableExpectations(scenario, both);
    expect(got).toHaveLength(4);
    expect(got[2]).toMatchObject({ conn: "writer", kind: "result", call: "send" });
    const onlyUt = { ...base, userTimeoutMs: 3000 };
    expect(texts(scenario, onlyUt)).toEqual(["idle:predicted", "idle:none", "writer:predicted"]);
  });

  it("applies ignoreSigterm conditions", () => {
    expect(texts(scenario, { ...base, ignoreSigterm: true })).toEqual([
      "idle:predicted",
      "idle:none",
      "writer:result",
      "writer:predicted",
    ]);
  });

  it("drops the shutdown EOF expectation under --ignore-sigterm", () => {
    const shutdown = loadScenario("shutdown");
    expect(applicableExpectations(shutdown, base)).toHaveLength(3);
    const ignoring = applicableExpectations(shutdown, { ...base, ignoreSigterm: true });
    expect(ignoring).toHaveLength(2);
    expect(ignoring.every((e) => e.kind === "predicted")).toBe(true);
  });

  it("always appends the command-line expectations, after the file's", () => {
    const extra = parseScenario(
      `${VALID}expect: ["writer: recv ECONNRESET"]\n`,
      "x.yaml",
      "x",
    ).expectations.map((e) => e.expectation);
    const got = applicableExpectations(scenario, { ...base, ignoreSigterm: true }, extra);
    expect(got).toHaveLength(5);
    expect(got[4]).toBe(extra[0]);
  });
});
