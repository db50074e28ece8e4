import { describe, expect, it } from "vitest";
import {
  type Expectation,
  ExpectSyntaxError,
  evaluate,
  evaluateAll,
  formatExpectation,
  parseExpectation,
} from "../../src/expect/index.js";
import type { ConnectionReport, FirstFailure, Prediction, SocketEvent } from "../../src/types.js";

function conn(
  id: string,
  firstFailure: FirstFailure | null,
  predicted: Prediction | null = null,
  events: SocketEvent[] = [],
): ConnectionReport {
  return { id, side: "client", workload: "idle", firstFailure, predicted, events };
}

const fail = (call: string, result: string, afterMs: number): FirstFailure => ({
  call,
  result,
  afterMs,
});

function syntaxError(text: string): ExpectSyntaxError {
  try {
    parseExpectation(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpectSyntaxError);
    return err as ExpectSyntaxError;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

const check = (text: string, connections: ConnectionReport[], windowS = 10) =>
  evaluate(parseExpectation(text), connections, windowS);

describe("parseExpectation: forms", () => {
  it("parses <conn>: <call> <RESULT> within A..B", () => {
    expect(parseExpectation("idle: recv ETIMEDOUT within 2.5s..4s")).toEqual({
      kind: "result",
      conn: "idle",
      call: "recv",
      result: "ETIMEDOUT",
      window: { fromMs: 2500, toMs: 4000 },
    });
  });

  it("parses a call and result without a window", () => {
    expect(parseExpectation("writer: recv ECONNRESET")).toEqual({
      kind: "result",
      conn: "writer",
      call: "recv",
      result: "ECONNRESET",
      window: null,
    });
  });

  it("parses a result for any call, a single duration meaning 0..D", () => {
    expect(parseExpectation("idle: EOF within 0.5s")).toEqual({
      kind: "result",
      conn: "idle",
      call: null,
      result: "EOF",
      window: { fromMs: 0, toMs: 500 },
    });
  });

  it("parses none within <duration>", () => {
    expect(parseExpectation("writer: none within 10s")).toEqual({
      kind: "none",
      conn: "writer",
      withinMs: 10000,
    });
  });

  it("parses predicted with default, ±, +- and absolute tolerances", () => {
    expect(parseExpectation("writer: predicted")).toEqual({
      kind: "predicted",
      conn: "writer",
      tolerance: null,
    });
    const pct = { kind: "predicted", conn: "writer", tolerance: { kind: "percent", percent: 5 } };
    expect(parseExpectation("writer: predicted ±5%")).toEqual(pct);
    expect(parseExpectation("writer: predicted +-5%")).toEqual(pct);
    expect(parseExpectation("writer:predicted  +- 5 %")).toEqual(pct);
    expect(parseExpectation("writer: predicted ±12.5%").tolerance).toEqual({
      kind: "percent",
      percent: 12.5,
    });
    expect(parseExpectation("writer: predicted ±200ms").tolerance).toEqual({
      kind: "absolute",
      ms: 200,
    });
  });

  it("accepts ids with digits, _ and -, OK results and other errnos", () => {
    const e = parseExpectation("conn_2-b: send EPIPE");
    expect(e).toMatchObject({ conn: "conn_2-b", call: "send", result: "EPIPE" });
    expect(parseExpectation("x: connect OK")).toMatchObject({ call: "connect", result: "OK" });
    expect(parseExpectation("x: EHOSTUNREACH")).toMatchObject({ result: "EHOSTUNREACH" });
  });

  it("is case-insensitive for keywords and results, and whitespace tolerant", () => {
    expect(parseExpectation("  idle :RECV  etimedout   WITHIN 2.5 S .. 4 s  ")).toEqual(
      parseExpectation("idle: recv ETIMEDOUT within 2.5s..4s"),
    );
    expect(parseExpectation("w: PREDICTED ±10%")).toMatchObject({ kind: "predicted" });
    expect(parseExpectation("w: None Within 1S")).toEqual({
      kind: "none",
      conn: "w",
      withinMs: 1000,
    });
  });
});

describe("parseExpectation: units", () => {
  const window = (text: string) => {
    const e = parseExpectation(`idle: EOF within ${text}`);
    if (e.kind !== "result") throw new Error("not a result expectation");
    return e.window;
  };

  it("reads ms and s on each bound", () => {
    expect(window("0ms..500ms")).toEqual({ fromMs: 0, toMs: 500 });
    expect(window("250ms..1.5s")).toEqual({ fromMs: 250, toMs: 1500 });
    expect(window("2.3s")).toEqual({ fromMs: 0, toMs: 2300 });
    expect(window("1500ms")).toEqual({ fromMs: 0, toMs: 1500 });
  });

  it("gives a unit-less bound the unit of the other bound", () => {
    expect(window("0..0.5s")).toEqual({ fromMs: 0, toMs: 500 });
    expect(window("2.5s..4")).toEqual({ fromMs: 2500, toMs: 4000 });
    expect(window("100..300ms")).toEqual({ fromMs: 100, toMs: 300 });
  });
});

describe("formatExpectation", () => {
  it("prints canonical text that parses back to the same expectation", () => {
    const cases: [string, string][] = [
      ["idle: recv ETIMEDOUT within 2.5s..4s", "idle: recv ETIMEDOUT within 2.5s..4s"],
      ["idle: EOF within 0..0.5s", "idle: EOF within 500ms"],
      ["idle_x: Recv econnreset", "idle_x: recv ECONNRESET"],
      ["writer: none within 10000ms", "writer: none within 10s"],
      ["writer: predicted", "writer: predicted"],
      ["writer: predicted +-5%", "writer: predicted ±5%"],
      ["writer: predicted ± 0.25s", "writer: predicted ±250ms"],
      ["a: send EPIPE within 100ms..1250ms", "a: send EPIPE within 100ms..1.25s"],
    ];
    for (const [input, canonical] of cases) {
      const e = parseExpectation(input);
      expect(formatExpectation(e)).toBe(canonical);
      expect(parseExpectation(canonical)).toEqual(e);
    }
  });
});

describe("parseExpectation: errors", () => {
  it("reports the example error exactly", () => {
    const err = syntaxError("idle: recv ETIMEDOT within 2.5s");
    expect(err.column).toBe(12);
    expect(err.expression).toBe("idle: recv ETIMEDOT within 2.5s");
    expect(err.message).toBe(
      'bad --expect "idle: recv ETIMEDOT within 2.5s": unknown result "ETIMEDOT" at column 12 ' +
        '(expected OK, EOF or an errno name such as ECONNRESET; did you mean "ETIMEDOUT"?)',
    );
  });

  const cases: [string, number, string][] = [
    ["", 1, "empty expression"],
    ["Idle: EOF", 1, 'bad connection id "Idle"'],
    ["9x: EOF", 1, 'unexpected "9"'],
    ["idle recv EOF", 6, 'unexpected "recv" at column 6 (expected ":" after "idle")'],
    ["idle:", 6, 'nothing after "idle:"'],
    ["idle: rcv EOF", 7, 'did you mean "recv"?'],
    ["idle: recv", 11, 'missing result after "recv"'],
    ["idle: recv recv", 12, 'unknown result "recv"'],
    ["idle: recv EOF withn 2s", 16, 'did you mean "within"?'],
    ["idle: recv EOF within", 22, "missing duration"],
    ["idle: recv EOF within 2", 24, 'missing unit after "2"'],
    ["idle: recv EOF within 2..4", 24, "no unit on either bound"],
    ["idle: recv EOF within 2sec", 24, 'unknown unit "sec"'],
    ["idle: recv EOF within 4s..2.5s", 23, 'window "4s..2.5s" starts after it ends'],
    ["idle: recv EOF within 1s..", 27, "missing duration"],
    ["idle: recv EOF within -1s", 23, 'unexpected "-"'],
    [
      "idle: EOF within 1s extra",
      21,
      'unexpected "extra" at column 21 (expected end of expression)',
    ],
    ["w: none 5s", 9, '"within <duration>" after "none"'],
    ["w: none within 1s..2s", 18, 'unexpected ".."'],
    ["w: predicted 10%", 14, 'a tolerance such as "±10%"'],
    ["w: predicted ±10", 17, 'missing "%" or unit after "10"'],
    ["w: predicted ±", 15, "missing duration"],
    ["w: predicted ±10% more", 19, 'unexpected "more"'],
    ["w: ENOPE", 4, 'unknown result "ENOPE"'],
    ["w: recv EOF @", 13, 'unexpected "@"'],
  ];
  for (const [text, column, fragment] of cases) {
    it(`rejects ${JSON.stringify(text)} at column ${column}`, () => {
      const err = syntaxError(text);
      expect(err.column).toBe(column);
      expect(err.message).toContain(fragment);
      expect(err.message).toMatch(/\(expected .+\)$/);
      expect(err.message.startsWith(`bad --expect ${JSON.stringify(text)}: `)).toBe(true);
    });
  }
});

describe("evaluate: <call> <RESULT> within <window>", () => {
  const idle = (ff: FirstFailure | null) => [conn("idle", ff), conn("writer", null)];
  const expr = "idle: recv ETIMEDOUT within 2.5s..4s";

  it("passes when the first failure matches inside the window", () => {
    expect(check(expr, idle(fail("recv", "ETIMEDOUT", 2912)))).toEqual({
      expectation: expr,
      pass: true,
      message: "idle recv ETIMEDOUT at +2.912 s, within +2.500~+4.000 s",
    });
  });

  it("includes both ends of the window", () => {
    expect(check(expr, idle(fail("recv", "ETIMEDOUT", 2500))).pass).toBe(true);
    expect(check(expr, idle(fail("recv", "ETIMEDOUT", 4000))).pass).toBe(true);
  });

  it("fails when nothing failed", () => {
    const v = check(expr, idle(null));
    expect(v.pass).toBe(false);
    expect(v.message).toBe(
      "expected idle recv ETIMEDOUT within +2.500~+4.000 s after the fault; got none within 10 s",
    );
  });

  it("fails on another result, another call, or outside the window", () => {
    expect(check(expr, idle(fail("recv", "EOF", 3)))).toMatchObject({
      pass: false,
      message:
        "expected idle recv ETIMEDOUT within +2.500~+4.000 s after the fault; got recv EOF at +0.003 s",
    });
    expect(check(expr, idle(fail("send", "ETIMEDOUT", 3000))).pass).toBe(false);
    expect(check(expr, idle(fail("recv", "ETIMEDOUT", 4001))).pass).toBe(false);
    expect(check(expr, idle(fail("recv", "ETIMEDOUT", 2499))).pass).toBe(false);
  });

  it("without a window, accepts any time in the observation window", () => {
    const c = [conn("writer", fail("recv", "ECONNRESET", 9000))];
    expect(check("writer: recv ECONNRESET", c)).toMatchObject({
      pass: true,
      message: "writer recv ECONNRESET at +9.000 s, within +0.000~+10.000 s",
    });
    expect(check("writer: recv ECONNRESET", c, 5).pass).toBe(false);
  });

  it("mentions a matching call that came after a different first failure", () => {
    const events: SocketEvent[] = [
      { tMs: 1, side: "client", conn: "writer", call: "recv", result: "EOF" },
      { tMs: 20, side: "client", conn: "writer", call: "send", result: "EPIPE" },
    ];
    const c = [conn("writer", fail("recv", "EOF", 1), null, events)];
    const v = check("writer: send EPIPE", c);
    expect(v.pass).toBe(false);
    expect(v.message).toContain("got recv EOF at +0.001 s");
    expect(v.message).toContain("send EPIPE came later, at +0.020 s");
  });

  it("says when the window reaches past what the run watched", () => {
    const v = check("idle: recv ETIMEDOUT within 15s..20s", idle(null));
    expect(v.message).toContain("(the run watched only 10 s)");
  });
});

describe("evaluate: <RESULT> for any call", () => {
  it("passes for whichever call failed first, and fails on a different result", () => {
    expect(check("idle: EOF within 0.5s", [conn("idle", fail("recv", "EOF", 3))])).toEqual({
      expectation: "idle: EOF within 500ms",
      pass: true,
      message: "idle recv EOF at +0.003 s, within +0.000~+0.500 s",
    });
    expect(check("idle: EOF within 0.5s", [conn("idle", fail("poll", "EOF", 400))]).pass).toBe(
      true,
    );
    const v = check("idle: EOF within 0.5s", [conn("idle", fail("recv", "ECONNRESET", 3))]);
    expect(v.pass).toBe(false);
    expect(v.message).toBe(
      "expected idle EOF within +0.000~+0.500 s after the fault; got recv ECONNRESET at +0.003 s",
    );
  });

  it("checks OK against this side's successful calls", () => {
    const events: SocketEvent[] = [
      { tMs: 200, side: "server", conn: "idle", call: "send", result: "OK", bytes: 4 },
      { tMs: 900, side: "client", conn: "idle", call: "recv", result: "OK", bytes: 4 },
    ];
    const c = [conn("idle", null, null, events)];
    expect(check("idle: recv OK within 1s", c)).toMatchObject({
      pass: true,
      message: "idle recv OK at +0.900 s, within +0.000~+1.000 s",
    });
    expect(check("idle: send OK within 1s", c).pass).toBe(false);
    expect(check("idle: recv OK within 500ms", c).message).toContain(
      "got no successful recv in that window",
    );
  });
});

describe("evaluate: none within", () => {
  it("passes when nothing failed, or the first failure came later", () => {
    expect(check("writer: none within 10s", [conn("writer", null)])).toEqual({
      expectation: "writer: none within 10s",
      pass: true,
      message: "writer none within 10 s",
    });
    const later = check("writer: none within 5s", [
      conn("writer", fail("send", "ETIMEDOUT", 7250)),
    ]);
    expect(later.pass).toBe(true);
    expect(later.message).toBe(
      "writer none within 5 s (first failure: send ETIMEDOUT at +7.250 s)",
    );
  });

  it("fails on a failure inside the duration", () => {
    const v = check("writer: none within 10s", [conn("writer", fail("recv", "ECONNRESET", 512))]);
    expect(v).toMatchObject({
      pass: false,
      message: "expected writer none within 10 s after the fault; got recv ECONNRESET at +0.512 s",
    });
  });

  it("fails when the run watched less than the duration", () => {
    const v = check("writer: none within 30s", [conn("writer", null)], 10);
    expect(v.pass).toBe(false);
    expect(v.message).toContain("the run watched only 10 s");
  });
});

describe("evaluate: predicted", () => {
  const prediction = (over: Partial<Prediction> = {}): Prediction => ({
    call: null,
    result: "ETIMEDOUT",
    afterMs: 3100,
    basis: "TCP_USER_TIMEOUT 3000 ms, checked at the next RTO",
    ...over,
  });
  const writer = (ff: FirstFailure | null, p: Prediction | null = prediction()) => [
    conn("writer", ff, p),
  ];

  it("passes within the default tolerance (10 %) and fails outside it", () => {
    const pass = check("writer: predicted", writer(fail("send", "ETIMEDOUT", 3400)));
    expect(pass).toEqual({
      expectation: "writer: predicted",
      pass: true,
      message:
        "writer send ETIMEDOUT at +3.400 s, within +3.100 s ±0.310 s (predicted: TCP_USER_TIMEOUT 3000 ms, checked at the next RTO)",
    });
    const late = check("writer: predicted", writer(fail("send", "ETIMEDOUT", 3512)));
    expect(late).toMatchObject({
      pass: false,
      message:
        "expected writer ETIMEDOUT at +3.100 s ±0.310 s (predicted: TCP_USER_TIMEOUT 3000 ms, checked at the next RTO); got ETIMEDOUT at +3.512 s",
    });
    expect(check("writer: predicted", writer(fail("send", "ETIMEDOUT", 2789))).pass).toBe(false);
  });

  it("uses at least 100 ms of default tolerance for early predictions", () => {
    const fin = (ms: number) =>
      writer(fail("recv", "EOF", ms), prediction({ result: "EOF", afterMs: 0 }));
    expect(check("writer: predicted", fin(95)).pass).toBe(true);
    expect(check("writer: predicted", fin(101)).pass).toBe(false);
    expect(check("writer: predicted", fin(95)).message).toContain("±0.100 s");
  });

  it("honours ±P%, +-P% and absolute tolerances", () => {
    const c = writer(fail("send", "ETIMEDOUT", 3400));
    expect(check("writer: predicted ±5%", c).pass).toBe(false);
    expect(check("writer: predicted +-10%", c).pass).toBe(true);
    expect(check("writer: predicted ±20%", c).message).toContain("±0.620 s");
    expect(check("writer: predicted ±250ms", c).pass).toBe(false);
    expect(check("writer: predicted ±0.3s", c).pass).toBe(true);
  });

  it("fails on a different result, or a different call when the prediction names one", () => {
    expect(check("writer: predicted", writer(fail("send", "EHOSTUNREACH", 3100))).pass).toBe(false);
    const named = prediction({ call: "recv" });
    const v = check("writer: predicted", writer(fail("send", "ETIMEDOUT", 3100), named));
    expect(v.pass).toBe(false);
    expect(v.message).toContain("expected writer recv ETIMEDOUT at +3.100 s");
    expect(v.message).toContain("got send ETIMEDOUT at +3.100 s");
    expect(check("writer: predicted", writer(fail("recv", "ETIMEDOUT", 3100), named)).pass).toBe(
      true,
    );
  });

  it("fails when the predicted failure never came", () => {
    const v = check("writer: predicted", writer(null));
    expect(v.pass).toBe(false);
    expect(v.message).toMatch(/; got none within 10 s$/);
  });

  it("handles never predictions both ways", () => {
    const never = prediction({ result: null, afterMs: null, basis: "no keepalive, nothing sent" });
    expect(check("idle: predicted", [conn("idle", null, never)])).toEqual({
      expectation: "idle: predicted",
      pass: true,
      message: "idle none within 10 s (predicted: never; no keepalive, nothing sent)",
    });
    const v = check("idle: predicted", [conn("idle", fail("recv", "ECONNRESET", 500), never)]);
    expect(v).toMatchObject({
      pass: false,
      message:
        "expected idle none within 10 s (predicted: never; no keepalive, nothing sent); got recv ECONNRESET at +0.500 s",
    });
  });

  it("treats a prediction beyond the observation window like never", () => {
    const far = prediction({ afterMs: 924600, basis: "tcp_retries2 15" });
    const pass = check("writer: predicted", writer(null, far));
    expect(pass.pass).toBe(true);
    expect(pass.message).toBe(
      "writer none within 10 s (predicted: ETIMEDOUT at +924.600 s, beyond the 10 s window; tcp_retries2 15)",
    );
    expect(check("writer: predicted", writer(fail("send", "ETIMEDOUT", 4000), far)).pass).toBe(
      false,
    );
  });

  it("fails with a clear message when there is no prediction", () => {
    const v = check("writer: predicted", writer(null, null));
    expect(v.pass).toBe(false);
    expect(v.message).toContain("got no prediction for writer");
  });
});

describe("evaluate: unknown connection and evaluateAll", () => {
  it("fails and lists the ids that exist", () => {
    const v = check("idel: EOF", [conn("idle", null), conn("writer", null)]);
    expect(v).toEqual({
      expectation: "idel: EOF",
      pass: false,
      message: 'expected a connection "idel"; got no such connection (connections: idle, writer)',
    });
    expect(check("idle: predicted", []).message).toContain("the run has no connections");
  });

  it("evaluates every expectation in order", () => {
    const exprs: Expectation[] = ["idle: EOF", "writer: none within 1s", "nobody: EOF"].map(
      parseExpectation,
    );
    const verdicts = evaluateAll(
      exprs,
      [conn("idle", fail("recv", "EOF", 2)), conn("writer", null)],
      10,
    );
    expect(verdicts.map((v) => [v.expectation, v.pass])).toEqual([
      ["idle: EOF", true],
      ["writer: none within 1s", true],
      ["nobody: EOF", false],
    ]);
  });
});
