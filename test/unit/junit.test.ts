import { describe, expect, it } from "vitest";
import { escapeXml, renderJunit, settingsLabel } from "../../src/reporters/index.js";
import { buildReport } from "../../src/runner/document.js";
import type { Report, RunReport, Verdict } from "../../src/types.js";

// A small strict XML parser: enough of XML 1.0 to prove that what renderJunit writes is
// well-formed (one root, matched tags, quoted unique attributes, no raw < or & in text, only
// the five predefined entities and character references, no characters XML cannot hold) and to
// read it back with every reference decoded.

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_][\w.-]*/y;
const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const NOT_XML_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

function parseXml(doc: string): XmlElement {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(
      `not well-formed at ${pos}: ${why} near ${JSON.stringify(doc.slice(pos, pos + 30))}`,
    );
  };
  if (NOT_XML_CHAR.test(doc)) fail("a character XML 1.0 cannot hold");
  const skipSpace = () => {
    while (/\s/.test(doc[pos] ?? "")) pos++;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(doc);
    if (!m) return fail("expected a name");
    pos += m[0].length;
    return m[0];
  };
  const decode = (raw: string, inAttr: boolean): string => {
    if (raw.includes("<")) fail("raw < in character data");
    if (inAttr && /[\t\n\r]/.test(raw)) fail("raw whitespace would be normalized in an attribute");
    return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
      if (!whole.endsWith(";")) fail(`bare & in ${JSON.stringify(raw)}`);
      if (ref in ENTITIES) return ENTITIES[ref];
      const num = /^#(\d+)$/.exec(ref) ?? /^#x([0-9a-fA-F]+)$/.exec(ref);
      if (!num) return fail(`unknown entity &${ref};`);
      const code = Number.parseInt(num[1], ref.startsWith("#x") ? 16 : 10);
      const ch = String.fromCodePoint(code);
      if (NOT_XML_CHAR.test(ch)) fail(`reference to a character XML cannot hold: &${ref};`);
      return ch;
    });
  };
  const element = (): XmlElement => {
    if (doc[pos] !== "<") fail("expected <");
    pos++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (doc.startsWith("/>", pos)) {
        pos += 2;
        return el;
      }
      if (doc[pos] === ">") break;
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      if (doc[pos] !== "=" || doc[pos + 1] !== '"') fail('expected ="');
      const end = doc.indexOf('"', pos + 2);
      if (end < 0) fail("unterminated attribute");
      el.attrs[key] = decode(doc.slice(pos + 2, end), true);
      pos = end + 1;
      if (!/[\s/>]/.test(doc[pos] ?? "")) fail("expected space after an attribute");
    }
    pos++;
    for (;;) {
      const lt = doc.indexOf("<", pos);
      if (lt < 0) fail(`unclosed <${el.name}>`);
      el.text += decode(doc.slice(pos, lt), false);
      pos = lt;
      if (doc.startsWith("</", pos)) {
        pos += 2;
        if (name() !== el.name) fail(`mismatched end tag for <${el.name}>`);
        skipSpace();
        if (doc[pos] !== ">") fail("expected >");
        pos++;
        return el;
      }
      el.children.push(element());
    }
  };
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(doc);
  if (!decl) fail("missing XML declaration");
  pos = decl?.[0].length ?? 0;
  const root = element();
  skipSpace();
  if (pos !== doc.length) fail("content after the root element");
  return root;
}

const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);

// --- fixtures -----------------------------------------------------------------------------

function run(scenario: string, verdicts: Verdict[], extra: Partial<RunReport> = {}): RunReport {
  return {
    scenario,
    engine: "syscall",
    summary: "The server host vanishes silently; nothing comes back.",
    settings: {
      keepalive: null,
      userTimeoutMs: null,
      sysctls: { "net.ipv4.tcp_retries2": "15", "net.ipv4.tcp_keepalive_time": "7200" },
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
    },
    connections: [],
    steps: [],
    verdicts,
    passed: verdicts.every((v) => v.pass),
    durationMs: 3730,
    ...extra,
  };
}

const NASTY = `expected idle recv <ETIMEDOUT> & "soon"; got 'none' within 1 s`;

function report(): Report {
  const crash = run(
    "host-crash",
    [
      { expectation: "idle: predicted", pass: true, message: "idle recv ETIMEDOUT at +2.799 s" },
      { expectation: "writer: none within 10s", pass: false, message: NASTY },
    ],
    {
      settings: {
        keepalive: { idle: 1, interval: 1, count: 2 },
        userTimeoutMs: 3000,
        sysctls: { "net.ipv4.tcp_retries2": "5" },
        windowS: 10,
        ignoreSigterm: false,
        graceMs: 2000,
      },
    },
  );
  const close = run("peer-close", [], { durationMs: 1250 });
  return buildReport([crash, close], "6.18.44-test", "0.1.0");
}

// --- tests --------------------------------------------------------------------------------

describe("renderJunit", () => {
  const xml = renderJunit(report());
  const root = parseXml(xml);
  const suites = children(root, "testsuite");

  it("writes one well-formed document ending in a newline", () => {
    expect(root.name).toBe("testsuites");
    expect(xml.endsWith("</testsuites>\n")).toBe(true);
    expect(root.attrs).toMatchObject({ tests: "3", failures: "1", errors: "0", time: "4.980" });
  });

  it("has one testsuite per run with its counts and time in seconds", () => {
    expect(suites.map((s) => s.attrs.name)).toEqual([
      "host-crash (keepalive 1,1,2 · user-timeout 3000 ms · retries2 5)",
      "peer-close",
    ]);
    expect(suites[0].attrs).toMatchObject({ tests: "2", failures: "1", time: "3.730" });
    expect(suites[1].attrs).toMatchObject({ tests: "1", failures: "0", time: "1.250" });
  });

  it("has one testcase per verdict, named after the expectation", () => {
    const cases = children(suites[0], "testcase");
    expect(cases.map((c) => c.attrs.name)).toEqual(["idle: predicted", "writer: none within 10s"]);
    expect(cases.every((c) => c.attrs.classname === "tcpdrop.host-crash")).toBe(true);
    expect(children(cases[0], "failure")).toEqual([]);
  });

  it("gives a failing verdict a <failure> with the message, escaped and read back intact", () => {
    const [failure] = children(children(suites[0], "testcase")[1], "failure");
    expect(failure.attrs.message).toBe(NASTY);
    expect(failure.text).toBe(NASTY);
    expect(xml).toContain("&lt;ETIMEDOUT&gt; &amp; &quot;soon&quot;; got &apos;none&apos;");
  });

  it("gives a run without verdicts one passing 'run completed' testcase", () => {
    const cases = children(suites[1], "testcase");
    expect(cases.map((c) => [c.attrs.name, c.attrs.classname])).toEqual([
      ["run completed", "tcpdrop.peer-close"],
    ]);
    expect(children(cases[0], "failure")).toEqual([]);
  });

  it("fails 'run completed' for a failed run that has no failing verdict", () => {
    const failed = run("shutdown", [], { passed: false });
    const doc = parseXml(renderJunit(buildReport([failed], "k", "0.1.0")));
    const [suite] = children(doc, "testsuite");
    expect(suite.attrs).toMatchObject({ tests: "1", failures: "1" });
    const [failure] = children(children(suite, "testcase")[0], "failure");
    expect(failure.attrs.message).toMatch(/shutdown failed/);
  });

  it("records the kernel and the settings as properties and the summary as system-out", () => {
    const props = children(children(suites[0], "properties")[0], "property");
    const byName = Object.fromEntries(props.map((p) => [p.attrs.name, p.attrs.value]));
    expect(byName).toMatchObject({
      kernel: "6.18.44-test",
      keepalive: "1,1,2",
      userTimeoutMs: "3000",
      "net.ipv4.tcp_retries2": "5",
    });
    expect(children(suites[1], "system-out")[0].text).toMatch(/^The server host vanishes/);
  });

  it("keeps control characters, line breaks and lone surrogates out of the way of XML", () => {
    const message = "line 1\nline 2\r\n\ttab \u0001bell\u0007 \ud800 ok 🐢 <&>";
    const r = run("peer-kill", [{ expectation: "x\u0000y", pass: false, message }]);
    const doc = parseXml(renderJunit(buildReport([r], "k", "0.1.0")));
    const testcase = children(children(doc, "testsuite")[0], "testcase")[0];
    expect(testcase.attrs.name).toBe("x\\x00y");
    const [failure] = children(testcase, "failure");
    const expected = "line 1\nline 2\r\n\ttab \\x01bell\\x07 \\ud800 ok 🐢 <&>";
    expect(failure.attrs.message).toBe(expected);
    expect(failure.text).toBe(expected);
  });

  it("writes an empty report as an empty, valid testsuites", () => {
    const doc = parseXml(renderJunit(buildReport([], "k", "0.1.0")));
    expect(doc.children).toEqual([]);
    expect(doc.attrs).toMatchObject({ tests: "0", failures: "0" });
  });
});

describe("the parser in this test", () => {
  it.each([
    ["raw <", '<?xml version="1.0" encoding="UTF-8"?>\n<a>1 < 2</a>'],
    ["bare &", '<?xml version="1.0" encoding="UTF-8"?>\n<a>R&D</a>'],
    ["mismatched tags", '<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>'],
    ["unquoted attribute", '<?xml version="1.0" encoding="UTF-8"?>\n<a x=1/>'],
    ["control character", '<?xml version="1.0" encoding="UTF-8"?>\n<a>\u0001</a>'],
    ["two roots", '<?xml version="1.0" encoding="UTF-8"?>\n<a/><b/>'],
  ])("rejects %s", (_why, doc) => {
    expect(() => parseXml(doc)).toThrow(/not well-formed/);
  });
});

describe("escapeXml and settingsLabel", () => {
  it("escapes the five special characters", () => {
    expect(escapeXml(`<a href="x">Tom & Jerry's</a>`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/a&gt;",
    );
  });

  it("labels only the settings that differ from the lab's defaults", () => {
    expect(settingsLabel(run("x", []).settings)).toBe("");
    expect(
      settingsLabel({
        ...run("x", []).settings,
        ignoreSigterm: true,
        graceMs: 500,
      }),
    ).toBe("ignore-sigterm (grace 500 ms)");
  });
});
