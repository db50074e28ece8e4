// The one error the parser throws: where in the expression it went wrong and what was expected.

export class ExpectSyntaxError extends Error {
  readonly expression: string;
  /** 1-based column of the offending character (length + 1 for "end of expression"). */
  readonly column: number;
  /** What is wrong, without the expression or column: `unknown result "ETIMEDOT"`. */
  readonly detail: string;
  /** What would have been valid at that column. */
  readonly expected: string;

  constructor(expression: string, column: number, detail: string, expected: string) {
    super(`bad --expect "${expression}": ${detail} at column ${column} (expected ${expected})`);
    this.name = "ExpectSyntaxError";
    this.expression = expression;
    this.column = column;
    this.detail = detail;
    this.expected = expected;
  }
}
