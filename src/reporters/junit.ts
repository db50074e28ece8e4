// JUnit XML reporter, for CI systems that show test results (GitLab, Jenkins, GitHub
// actions that read JUnit). One <testsuite> per run, one <testcase> per verdict; a failing
// verdict carries its packetdrill-style message. The output is the same whatever the terminal.
import type { Report, RunReport, Verdict } from "../types.js";
import type { Reporter } from "./reporter.js";

/** The tcp_retries2 the lab uses unless --retries2 says otherwise; not worth a label. */
const LAB_RETRIES2 = "15";

/** The name of the testcase of a run that has no expectations of its own. */
export const RUN_COMPLETED = "run completed";

/**
 * Escapes text for an XML attribute value or element content. Besides & < > " ', tabs and line
 * breaks become character references (an attribute value would otherwise turn them into
 * spaces), and what XML 1.0 cannot hold at all (other control characters, lone surrogates,
 * U+FFFE/U+FFFF) is written visibly as \xNN or \uNNNN.
 */
export function escapeXml(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + text[i + 1];
        i++;
        continue;
      }
    }
    out += escapeUnit(ch, code);
  }
  return out;
}

function escapeUnit(ch: string, code: number): string {
  switch (ch) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    case "'":
      return "&apos;";
    case "\t":
      return "&#9;";
    case "\n":
      return "&#10;";
    case "\r":
      return "&#13;";
  }
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, "0")}`;
  // Lone surrogates (a pair was handled by the caller) and the two non-characters.
  if ((code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) {
    return `\\u${code.toString(16).padStart(4, "0")}`;
  }
  return ch;
}

function attrs(pairs: [string, string | number][]): string {
  return pairs.map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join("");
}

/** "3.730": JUnit times are seconds. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/**
 * The settings that tell two runs of one scenario apart, e.g. "keepalive 1,1,2 · user-timeout
 * 3000 ms"; "" when the run used the defaults.
 */
export function settingsLabel(s: RunReport["settings"]): string {
  const parts: string[] = [];
  if (s.keepalive) {
    parts.push(`keepalive ${s.keepalive.idle},${s.keepalive.interval},${s.keepalive.count}`);
  }
  if (s.userTimeoutMs !== null) parts.push(`user-timeout ${s.userTimeoutMs} ms`);
  const retries2 = s.sysctls["net.ipv4.tcp_retries2"];
  if (retries2 !== undefined && retries2 !== LAB_RETRIES2) parts.push(`retries2 ${retries2}`);
  if (s.ignoreSigterm) parts.push(`ignore-sigterm (grace ${s.graceMs} ms)`);
  return parts.join(" · ");
}

/** "host-crash" or "host-crash (keepalive 1,1,2)". */
export function suiteName(run: RunReport): string {
  const label = settingsLabel(run.settings);
  return label ? `${run.scenario} (${label})` : run.scenario;
}

export interface JunitCase {
  name: string;
  /** The failure message, or null when the case passed. */
  failure: string | null;
  /** Why a scenario expectation was not checked (a <skipped/> testcase). */
  skipped?: string;
}

/**
 * What a run contributes: its verdicts, or "run completed" when it has none, and a skipped
 * testcase for each scenario expectation the run did not check. A run marked as
 * failed although no verdict failed also gets a failing "run completed", so that a CI system
 * never shows green for it.
 */
export function testcases(run: RunReport): JunitCase[] {
  const cases: JunitCase[] = run.verdicts.map((v: Verdict) => ({
    name: v.expectation,
    failure: v.pass ? null : v.message,
  }));
  const anyFailed = cases.some((c) => c.failure !== null);
  if (cases.length === 0 || (!run.passed && !anyFailed)) {
    cases.push({
      name: RUN_COMPLETED,
      failure: run.passed ? null : `${run.scenario} failed without a failing expectation`,
    });
  }
  for (const skipped of run.expectations?.skipped ?? []) {
    cases.push({ name: skipped.expectation, failure: null, skipped: skipped.reason });
  }
  return cases;
}

function properties(run: RunReport, report: Report): string[] {
  const s = run.settings;
  const props: [string, string][] = [
    ["kernel", report.kernel],
    ["engine", run.engine],
    [
      "keepalive",
      s.keepalive ? `${s.keepalive.idle},${s.keepalive.interval},${s.keepalive.count}` : "off",
    ],
    ["userTimeoutMs", s.userTimeoutMs === null ? "off" : String(s.userTimeoutMs)],
    ...Object.entries(s.sysctls),
    ["windowS", String(s.windowS)],
    ["ignoreSigterm", String(s.ignoreSigterm)],
    ["graceMs", String(s.graceMs)],
  ];
  return [
    "    <properties>",
    ...props.map(
      ([name, value]) =>
        `      <property${attrs([
          ["name", name],
          ["value", value],
        ])}/>`,
    ),
    "    </properties>",
  ];
}

function testcaseXml(c: JunitCase, classname: string): string[] {
  const open = `    <testcase${attrs([
    ["name", c.name],
    ["classname", classname],
  ])}`;
  if (c.skipped !== undefined) {
    return [`${open}>`, `      <skipped${attrs([["message", c.skipped]])}/>`, "    </testcase>"];
  }
  if (c.failure === null) return [`${open}/>`];
  return [
    `${open}>`,
    `      <failure${attrs([["message", c.failure]])}>${escapeXml(c.failure)}</failure>`,
    "    </testcase>",
  ];
}

function suiteXml(run: RunReport, report: Report, id: number): string[] {
  const cases = testcases(run);
  const failures = cases.filter((c) => c.failure !== null).length;
  const classname = `tcpdrop.${run.scenario}`;
  return [
    `  <testsuite${attrs([
      ["name", suiteName(run)],
      ["id", id],
      ["tests", cases.length],
      ["failures", failures],
      ["errors", 0],
      ["skipped", cases.filter((c) => c.skipped !== undefined).length],
      ["time", seconds(run.durationMs)],
    ])}>`,
    ...properties(run, report),
    ...cases.flatMap((c) => testcaseXml(c, classname)),
    `    <system-out>${escapeXml(run.summary)}</system-out>`,
    "  </testsuite>",
  ];
}

/** The whole of stdout for `--junit`: one XML document and a final newline. */
export function renderJunit(report: Report): string {
  const all = report.runs.map(testcases);
  const tests = all.reduce((n, cases) => n + cases.length, 0);
  const failures = all.reduce((n, cases) => n + cases.filter((c) => c.failure !== null).length, 0);
  const time = report.runs.reduce((ms, run) => ms + run.durationMs, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attrs([
      ["name", `tcpdrop ${report.tool.version}`],
      ["tests", tests],
      ["failures", failures],
      ["errors", 0],
      ["skipped", all.reduce((n, cases) => n + cases.filter((c) => c.skipped).length, 0)],
      ["time", seconds(time)],
    ])}>`,
    ...report.runs.flatMap((run, i) => suiteXml(run, report, i)),
    "</testsuites>",
  ];
  return `${lines.join("\n")}\n`;
}

export const junitReporter: Reporter = {
  name: "junit",
  render: (report) => renderJunit(report),
};
