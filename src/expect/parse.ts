// parseExpectation: `--expect` text -> Expectation, or an ExpectSyntaxError that points at the
// column where the text stopped making sense and says what would have fit there.
import { knownResult, RESULT_CANDIDATES, suggest } from "./errnos.js";
import { type Token, TokenCursor } from "./lexer.js";
import { CALLS, type Call, type Expectation, type TimeWindow, type Tolerance } from "./model.js";

const CONN_RE = /^[a-z][a-z0-9_-]*$/;
const EXPECT_RESULT = "OK, EOF or an errno name such as ECONNRESET";
const EXPECT_HEAD =
  `a call (${CALLS.join(", ")}), a result (${EXPECT_RESULT}), ` +
  `"none within <duration>", "predicted", or for a program "exits within <duration>" or "exit code <N>"`;
const EXPECT_WINDOW = "a time window such as 2.5s..4s, or a duration such as 500ms";
const HEAD_WORDS = [...CALLS, "none", "predicted", "exits", "exit", ...RESULT_CANDIDATES];

interface Bound {
  value: number;
  unit: "ms" | "s" | null;
  token: Token;
}

class Parser extends TokenCursor {
  parse(): Expectation {
    const first = this.next();
    if (first.kind === "end") {
      this.fail(first, "empty expression", '"<conn>: <call> <RESULT> [within <window>]"');
    }
    if (first.kind !== "word" || !CONN_RE.test(first.text)) {
      const detail =
        first.kind === "word" ? `bad connection id "${first.text}"` : this.unexpected(first);
      const lower = first.text.toLowerCase();
      const hint = first.kind === "word" && CONN_RE.test(lower) ? lower : null;
      this.fail(first, detail, "a lower-case connection id such as idle or writer", hint);
    }
    const conn = first.text;
    const colon = this.next();
    if (colon.text !== ":") this.fail(colon, this.unexpected(colon), `":" after "${conn}"`);
    const expectation = this.parseBody(conn);
    const end = this.peek();
    if (end.kind !== "end") this.fail(end, this.unexpected(end), "end of expression");
    return expectation;
  }

  private parseBody(conn: string): Expectation {
    const head = this.next();
    if (head.kind !== "word") {
      const detail = head.kind === "end" ? `nothing after "${conn}:"` : this.unexpected(head);
      this.fail(head, detail, EXPECT_HEAD);
    }
    const lower = head.text.toLowerCase();
    if ((CALLS as readonly string[]).includes(lower)) {
      const result = this.parseResult(this.next(), `after "${lower}"`);
      return { kind: "result", conn, call: lower as Call, result, window: this.parseWithin() };
    }
    if (lower === "none") return { kind: "none", conn, withinMs: this.parseNoneWithin() };
    if (lower === "predicted") return { kind: "predicted", conn, tolerance: this.parseTolerance() };
    if (lower === "exits") return { kind: "exits", conn, withinMs: this.parseOneWithin("exits") };
    if (lower === "exit") return { kind: "exit-code", conn, code: this.parseExitCode() };
    const result = knownResult(head.text);
    if (result === null) {
      const looksLikeResult = /^E[A-Z0-9]+$/i.test(head.text);
      const detail = `unknown ${looksLikeResult ? "result" : "call or result"} "${head.text}"`;
      this.fail(head, detail, EXPECT_HEAD, suggest(head.text, HEAD_WORDS));
    }
    return { kind: "result", conn, call: null, result, window: this.parseWithin() };
  }

  private parseResult(token: Token, where: string): string {
    const result = token.kind === "word" ? knownResult(token.text) : null;
    if (result !== null) return result;
    if (token.kind === "end") this.fail(token, `missing result ${where}`, EXPECT_RESULT);
    if (token.kind !== "word") this.fail(token, this.unexpected(token), EXPECT_RESULT);
    const hint = suggest(token.text, RESULT_CANDIDATES);
    this.fail(token, `unknown result "${token.text}"`, EXPECT_RESULT, hint);
  }

  /** Optional `within <window>` at the end of a result expectation. */
  private parseWithin(): TimeWindow | null {
    const token = this.peek();
    if (token.kind === "end") return null;
    if (!this.isWord(token, "within")) {
      const hint = token.kind === "word" ? suggest(token.text, ["within"]) : null;
      this.fail(token, this.unexpected(token), '"within <window>" or end of expression', hint);
    }
    this.next();
    return this.parseWindow();
  }

  private expectWithin(after: string): void {
    const token = this.next();
    if (this.isWord(token, "within")) return;
    const hint = token.kind === "word" ? suggest(token.text, ["within"]) : null;
    this.fail(token, this.unexpected(token), `"within <duration>" after "${after}"`, hint);
  }

  private parseNoneWithin(): number {
    return this.parseOneWithin("none");
  }

  /** `within <duration>` after `none` or `exits`: one duration, not a window. */
  private parseOneWithin(after: string): number {
    this.expectWithin(after);
    const bound = this.parseBound("a duration such as 10s or 500ms");
    const dots = this.peek();
    if (dots.text === "..") {
      const expected = `end of expression ("${after} within" takes one duration, such as 10s)`;
      this.fail(dots, this.unexpected(dots), expected);
    }
    return this.toMs(bound, bound.unit);
  }

  /** `code <N>` after `exit`: the exit status, 0 to 255. */
  private parseExitCode(): number {
    const word = this.next();
    if (!this.isWord(word, "code")) {
      const hint = word.kind === "word" ? suggest(word.text, ["code"]) : null;
      this.fail(word, this.unexpected(word), '"code <N>" after "exit", as in "exit code 1"', hint);
    }
    const number = this.next();
    const code = Number(number.text);
    if (number.kind !== "number" || !Number.isInteger(code) || code < 0 || code > 255) {
      const detail = number.kind === "end" ? "missing exit code" : `bad exit code "${number.text}"`;
      this.fail(number, detail, "a whole number from 0 to 255");
    }
    return code;
  }

  private parseWindow(): TimeWindow {
    const from = this.parseBound(EXPECT_WINDOW);
    if (this.peek().text !== "..") return { fromMs: 0, toMs: this.toMs(from, from.unit) };
    this.next();
    const to = this.parseBound("a duration after '..', such as 4s");
    if (from.unit === null && to.unit === null) {
      this.fail(this.unitColumn(from), "no unit on either bound", 'ms or s, as in "2.5s..4s"');
    }
    const window = { fromMs: this.toMs(from, to.unit), toMs: this.toMs(to, from.unit) };
    if (window.fromMs > window.toMs) {
      const text = this.text.slice(from.token.column - 1, this.peek().column - 1).trim();
      this.fail(
        from.token,
        `window "${text}" starts after it ends`,
        'the earlier time first, as in "2.5s..4s"',
      );
    }
    return window;
  }

  /** A number and an optional unit (ms or s). */
  private parseBound(expected: string): Bound {
    const token = this.next();
    if (token.kind !== "number") {
      const detail = token.kind === "end" ? "missing duration" : this.unexpected(token);
      this.fail(token, detail, expected);
    }
    const bound: Bound = { value: Number(token.text), unit: null, token };
    const unit = this.peek();
    if (unit.kind === "word") {
      const lower = unit.text.toLowerCase();
      if (lower !== "ms" && lower !== "s") {
        this.fail(unit, `unknown unit "${unit.text}"`, "ms or s", suggest(lower, ["ms", "s"]));
      }
      bound.unit = lower;
      this.next();
    }
    return bound;
  }

  private unitColumn(bound: Bound): number {
    return bound.token.column + bound.token.text.length;
  }

  /** Milliseconds for a bound, using `fallback` when the bound has no unit of its own. */
  private toMs(bound: Bound, fallback: "ms" | "s" | null): number {
    const unit = bound.unit ?? fallback;
    if (unit === null) {
      this.fail(
        this.unitColumn(bound),
        `missing unit after "${bound.token.text}"`,
        `ms or s, as in ${bound.token.text}s`,
      );
    }
    const ms = unit === "s" ? bound.value * 1000 : bound.value;
    return Math.round(ms * 1000) / 1000;
  }

  /** Optional `±P%`, `+-P%` or an absolute `±D` after "predicted". */
  private parseTolerance(): Tolerance | null {
    const sign = this.peek();
    if (sign.kind === "end") return null;
    if (sign.text !== "±" && sign.text !== "+-") {
      this.fail(
        sign,
        this.unexpected(sign),
        'a tolerance such as "±10%" or "+-10%", or end of expression',
      );
    }
    this.next();
    const bound = this.parseBound('a tolerance such as "10%" or "200ms"');
    if (bound.unit !== null) return { kind: "absolute", ms: this.toMs(bound, null) };
    const percent = this.peek();
    if (percent.text !== "%") {
      this.fail(
        this.unitColumn(bound),
        `missing "%" or unit after "${bound.token.text}"`,
        '"%" (as in ±10%) or ms or s (as in ±200ms)',
      );
    }
    this.next();
    return { kind: "percent", percent: bound.value };
  }
}

/** Parses one `--expect` expression; throws ExpectSyntaxError on malformed input. */
export function parseExpectation(text: string): Expectation {
  return new Parser(text).parse();
}
