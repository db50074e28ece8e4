// The JSON Schemas of scenario files and of the JSON report: generated from the zod definitions,
// shipped in schemas/ in step with them, met by every built-in scenario and by a report, and
// failed by broken ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { jsonSchema, SCHEMA_NAMES, schemaCommand } from "../../src/commands/schema.js";
import { SCENARIO_DIR } from "../../src/defaults.js";
import { UsageError } from "../../src/errors.js";
import { reportSchema } from "../../src/reporters/report-schema.js";
import { buildReport } from "../../src/runner/document.js";
import { builtInNames } from "../../src/scenario/load.js";
import { SCHEMA_DIR, schemaErrors, shippedSchema } from "../schema-validate.js";

const scenarioText = (name: string) => readFileSync(join(SCENARIO_DIR, `${name}.yaml`), "utf8");

describe("shipped schemas", () => {
  it.each(SCHEMA_NAMES)("schemas/%s.schema.json is what the zod definition generates", (name) => {
    expect(shippedSchema(name), "out of step: npm run build && npm run schemas").toEqual(
      jsonSchema(name),
    );
    expect(JSON.parse(schemaCommand(name))).toEqual(jsonSchema(name));
  });

  it("tcpdrop schema names only the schemas it has", () => {
    expect(() => schemaCommand("scenarios")).toThrow(UsageError);
  });

  it("package.json ships the schemas folder", () => {
    const pkg = JSON.parse(readFileSync(join(SCHEMA_DIR, "..", "package.json"), "utf8"));
    expect(pkg.files).toContain("schemas");
  });
});

describe("scenario files against schemas/scenario.schema.json", () => {
  it.each(builtInNames())("%s is valid and names the schema on its first line", (name) => {
    const text = scenarioText(name);
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=../schemas/scenario.schema.json",
    );
    expect(schemaErrors("scenario", parse(text))).toBe("");
  });

  it.each([
    ["an unknown field", { summary: "s", wire: "w", fault: "crash", expcet: [] }, /additional/],
    ["an unknown fault", { summary: "s", wire: "w", fault: "explode" }, /\/fault/],
    ["no summary", { wire: "w", fault: "crash" }, /summary/],
    [
      "an empty workload list",
      { summary: "s", wire: "w", fault: "crash", workloads: [] },
      /workloads/,
    ],
    [
      "a when: with an unknown condition",
      {
        summary: "s",
        wire: "w",
        fault: "crash",
        expect: [{ expect: "idle: EOF", when: { keepAlive: true } }],
      },
      /expect/,
    ],
  ])("a broken file fails: %s", (_what, doc, complaint) => {
    expect(schemaErrors("scenario", doc)).toMatch(complaint);
  });
});

describe("reports against schemas/report.schema.json", () => {
  const run = {
    scenario: "peer-close",
    engine: "syscall" as const,
    summary: "s",
    settings: {
      engine: "syscall" as const,
      keepalive: null,
      userTimeoutMs: null,
      retries2: null,
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
      sysctls: { "net.ipv4.tcp_retries2": "15" },
    },
    connections: [
      {
        id: "idle",
        side: "client" as const,
        workload: "idle",
        firstFailure: { call: "recv", result: "EOF", afterMs: 0.4 },
        predicted: { call: "recv", result: "EOF", afterMs: 0, basis: "FIN from the peer" },
        hint: null,
        events: [{ tMs: 0.4, side: "client" as const, conn: "idle", call: "recv", result: "EOF" }],
      },
    ],
    steps: [],
    verdicts: [{ expectation: "idle: recv EOF", pass: true, message: "held" }],
    expectations: { checked: 1, skipped: [] },
    passed: true,
    durationMs: 900,
  };
  const report = JSON.parse(JSON.stringify(buildReport([run], "6.8.0", "0.1.0")));

  it("a report is valid, for the JSON Schema and for zod alike", () => {
    expect(schemaErrors("report", report)).toBe("");
    expect(reportSchema.safeParse(report).success).toBe(true);
  });

  it.each([
    ["another schema version", ["schemaVersion"], 2],
    ["no runs", ["runs"], undefined],
    ["a verdict without pass", ["runs", 0, "verdicts", 0], { expectation: "x", message: "m" }],
    ["afterMs as text", ["runs", 0, "connections", 0, "firstFailure", "afterMs"], "0.4"],
    ["an unknown engine", ["runs", 0, "engine"], "python"],
    ["checked below 0", ["runs", 0, "expectations", "checked"], -1],
  ] as [string, (string | number)[], unknown][])(
    "a broken report fails: %s",
    (_what, path, value) => {
      const broken = structuredClone(report);
      let at: Record<string | number, unknown> = broken;
      for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
      at[path[path.length - 1]] = value;
      expect(schemaErrors("report", broken)).not.toBe("");
      expect(reportSchema.safeParse(broken).success).toBe(false);
    },
  );
});
