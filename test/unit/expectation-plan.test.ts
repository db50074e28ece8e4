// No expectation is dropped silently: a user's --expect that names no connection of the run is a
// usage error before any lab; scenario expectations that do not apply are listed as skipped;
// --detect checks each method against its prediction; a run that checked nothing never says PASS.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { preflight } from "../../src/commands/preflight.js";
import { runCommand } from "../../src/commands/run.js";
import { UsageError } from "../../src/errors.js";
import { parseExpectation } from "../../src/expect/index.js";
import { checkWritableOutput } from "../../src/output-path.js";
import { renderCompare, renderPretty } from "../../src/reporters/index.js";
import { NOTHING_CHECKED, skippedSummary } from "../../src/reporters/skipped.js";
import { planExpectations, withDefaults } from "../../src/runner/expectation-plan.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { ConnectionReport, RunReport, Settings } from "../../src/types.js";
import { BASE_SETTINGS } from "./settings-fixture.js";

const base = BASE_SETTINGS;
const dir = mkdtempSync(join(tmpdir(), "tcpdrop-plan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("--expect names are checked before any lab is built", () => {
  const job = (settings: Partial<Settings> = {}) => ({
    scenario: loadScenario("peer-close"),
    settings: { ...base, ...settings },
  });

  it("a name the run does not have is a usage error naming the connections it has", () => {
    const rcv = [parseExpectation("rcv: recv EOF")];
    expect(() => preflight([job({ detect: ["recv"] })], rcv)).toThrow(UsageError);
    expect(() => preflight([job({ detect: ["recv", "poll"] })], rcv)).toThrow(
      /peer-close has no connection "rcv"; its connections are recv, poll/,
    );
    expect(() => preflight([job()], rcv)).toThrow(/its connections are idle, writer$/);
    // "idle" is not watched under --detect: the scenario's workload names do not apply.
    expect(() => preflight([job({ detect: ["recv"] })], [parseExpectation("idle: EOF")])).toThrow(
      /no connection "idle"/,
    );
  });

  it("accepts groups, and one member of a group at scale", () => {
    expect(() =>
      preflight([job({ detect: ["recv"] })], [parseExpectation("recv: EOF")]),
    ).not.toThrow();
    const scaled = job({ connections: 10 });
    expect(() => preflight([scaled], [parseExpectation("idle-10: EOF")])).not.toThrow();
    expect(() => preflight([scaled], [parseExpectation("idle-11: EOF")])).toThrow(UsageError);
    expect(() => preflight([job()], [parseExpectation("idle-1: EOF")])).toThrow(UsageError);
  });

  it("runCommand refuses before building a lab (no root needed to see it)", async () => {
    await expect(
      runCommand(["peer-close"], { detect: ["recv"], expect: ["rcv: recv EOF"] }, "0.0.0"),
    ).rejects.toThrow(/no connection "rcv"/);
  });
});

describe("output paths are checked before the run", () => {
  it("refuses a missing directory, a directory, and leaves nothing behind when writable", () => {
    expect(() => checkWritableOutput("--junit", join(dir, "no", "such.xml"))).toThrow(
      /cannot write --junit .*no\/such\.xml: ENOENT \(its directory does not exist\)/,
    );
    mkdirSync(join(dir, "d"));
    expect(() => checkWritableOutput("--junit", join(dir, "d"))).toThrow(/is a directory/);
    const fresh = join(dir, "fresh.xml");
    checkWritableOutput("--junit", fresh);
    expect(existsSync(fresh)).toBe(false);
  });

  it("runCommand checks --junit first", async () => {
    await expect(
      runCommand(["peer-close"], { junit: join(dir, "no", "x.xml") }, "0.0.0"),
    ).rejects.toThrow(UsageError);
  });
});

describe("planExpectations", () => {
  const hostCrash = loadScenario("host-crash");
  const peerClose = loadScenario("peer-close");

  it("under --detect, lists the scenario's expectations about its workloads as skipped", () => {
    const plan = planExpectations(
      peerClose,
      { ...base, detect: ["recv", "poll"] },
      [],
      ["recv", "poll"],
    );
    expect(plan.apply).toEqual([]);
    expect(plan.skipped.length).toBe(peerClose.expectations.length);
    expect(plan.skipped[0].reason).toMatch(/^about (idle|writer), which this run does not watch$/);
    expect(skippedSummary(plan.skipped)).toBe(
      `${plan.skipped.length} scenario expectations skipped: they are about idle and writer`,
    );
  });

  it("adds METHOD: predicted for each --detect method the user did not check", () => {
    const extra = [parseExpectation("poll: POLLIN|POLLRDHUP")];
    const plan = planExpectations(peerClose, { ...base, detect: ["recv", "poll"] }, extra, [
      "recv",
      "poll",
    ]);
    expect(plan.apply).toEqual(extra);
    expect(plan.defaults).toEqual([{ kind: "predicted", conn: "recv", tolerance: null }]);
  });

  it("keeps defaults only where the method has a prediction; the others are skipped", () => {
    const plan = planExpectations(
      peerClose,
      { ...base, detect: ["recv", "poll"] },
      [],
      ["recv", "poll"],
    );
    const conn = (id: string, predicted: ConnectionReport["predicted"]): ConnectionReport => ({
      id,
      side: "client",
      workload: id,
      firstFailure: null,
      predicted,
      events: [],
    });
    const got = withDefaults(
      plan,
      [conn("recv", { call: "recv", result: "EOF", afterMs: 0, basis: "FIN" }), conn("poll", null)],
      [{ group: "recv" }, { group: "poll" }],
    );
    expect(got.expectations.map((e) => e.conn)).toEqual(["recv"]);
    expect(got.skipped.at(-1)).toEqual({
      expectation: "poll: predicted",
      reason: "poll has no prediction",
    });
  });

  it("lists `when:` entries that do not hold as skipped, with their condition", () => {
    const shutdown = loadScenario("shutdown");
    const plan = planExpectations(
      shutdown,
      { ...base, ignoreSigterm: true },
      [],
      ["idle", "writer"],
    );
    expect(plan.apply.map((e) => e.kind)).toEqual(["predicted", "predicted"]);
    expect(plan.skipped).toEqual([
      {
        expectation: "idle: recv EOF within 500ms",
        reason: "applies only with ignoreSigterm off",
      },
    ]);
    expect(skippedSummary(plan.skipped)).toBe(
      "1 scenario expectation skipped: 1 only for ignoreSigterm off",
    );
  });

  it("without --detect, the scenario's expectations all apply and none is added", () => {
    const plan = planExpectations(hostCrash, base, [], ["idle", "writer"]);
    expect(plan.apply.length).toBe(hostCrash.expectations.length);
    expect(plan.defaults).toEqual([]);
    expect(plan.skipped).toEqual([]);
  });
});

describe("a run that checked nothing", () => {
  const run: RunReport = {
    scenario: "peer-close",
    engine: "syscall",
    summary: "s",
    settings: { ...base, sysctls: {} },
    connections: [],
    steps: [],
    verdicts: [],
    expectations: {
      checked: 0,
      skipped: [
        { expectation: "idle: recv EOF", reason: "about idle, which this run does not watch" },
      ],
    },
    passed: true,
    durationMs: 1,
  };
  const report = {
    schemaVersion: 1 as const,
    tool: { name: "tcpdrop" as const, version: "0" },
    kernel: "k",
    runs: [run],
  };

  it("says so instead of PASS, after the skipped ones", () => {
    const text = renderPretty(report, { color: false });
    expect(text).not.toMatch(/PASS/);
    expect(text).toContain(`${NOTHING_CHECKED} (peer-close)`);
    expect(text).toContain("1 scenario expectation skipped: it is about idle");
    expect(renderCompare([{ setting: "x", run }], { color: false })).toContain(NOTHING_CHECKED);
  });
});

describe("JUnit carries the skipped expectations", () => {
  it("one <skipped/> testcase each, counted in the suite and the document", async () => {
    const { renderJunit } = await import("../../src/reporters/index.js");
    const run: RunReport = {
      scenario: "peer-close",
      engine: "syscall",
      summary: "s",
      settings: { ...base, sysctls: {} },
      connections: [],
      steps: [],
      verdicts: [{ expectation: "recv: predicted", pass: true, message: "held" }],
      expectations: {
        checked: 1,
        skipped: [
          { expectation: "idle: recv EOF", reason: "about idle, which this run does not watch" },
        ],
      },
      passed: true,
      durationMs: 1,
    };
    const xml = renderJunit({
      schemaVersion: 1,
      tool: { name: "tcpdrop", version: "0" },
      kernel: "k",
      runs: [run],
    });
    expect(xml).toContain('<skipped message="about idle, which this run does not watch"/>');
    expect(xml).toMatch(/<testsuites [^>]*tests="2" failures="0" errors="0" skipped="1"/);
    expect(xml).toMatch(/<testsuite [^>]*tests="2" failures="0" errors="0" skipped="1"/);
  });
});
