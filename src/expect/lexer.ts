// Splits an expression into words, numbers and punctuation, remembering each one's column,
// and walks them for the parser, throwing ExpectSyntaxError at the offending column.
import { ExpectSyntaxError } from "./errors.js";

export type TokenKind = "word" | "number" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column of the token's first character. */
  column: number;
}

const RULES: [Exclude<TokenKind, "end">, RegExp][] = [
  ["number", /^(?:\d+(?:\.\d+)?|\.\d+)/],
  // Words may join poll bits with "|": POLLIN|POLLRDHUP.
  ["word", /^[A-Za-z_][A-Za-z0-9_-]*(?:\|[A-Za-z_][A-Za-z0-9_-]*)*/],
  // ".." (window), "+-" (ASCII ±), else any single non-space character.
  ["punct", /^(?:\.\.|\+-|[^\sA-Za-z0-9_])/],
];

/** Tokens of `text`, always ending with an "end" token at column length + 1. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i])) {
      i++;
      continue;
    }
    const rest = text.slice(i);
    for (const [kind, re] of RULES) {
      const match = re.exec(rest);
      if (match) {
        tokens.push({ kind, text: match[0], column: i + 1 });
        i += match[0].length;
        break;
      }
    }
  }
  tokens.push({ kind: "end", text: "", column: text.length + 1 });
  return tokens;
}

/** How a token is named in error messages. */
export function describe(token: Token): string {
  return token.kind === "end" ? "end of expression" : `"${token.text}"`;
}

/** A cursor over an expression's tokens, for a recursive-descent parser. */
export class TokenCursor {
  private readonly tokens: Token[];
  private i = 0;

  constructor(protected readonly text: string) {
    this.tokens = tokenize(text);
  }

  protected peek(): Token {
    return this.tokens[this.i];
  }

  protected next(): Token {
    const token = this.tokens[this.i];
    if (token.kind !== "end") this.i++;
    return token;
  }

  protected isWord(token: Token, word: string): boolean {
    return token.kind === "word" && token.text.toLowerCase() === word;
  }

  /** Throws: `detail` at the token (or column), `expected` there, and an optional typo hint. */
  protected fail(
    at: Token | number,
    detail: string,
    expected: string,
    hint?: string | null,
  ): never {
    const column = typeof at === "number" ? at : at.column;
    const full = hint ? `${expected}; did you mean "${hint}"?` : expected;
    throw new ExpectSyntaxError(this.text, column, detail, full);
  }

  protected unexpected(token: Token): string {
    return `unexpected ${describe(token)}`;
  }
}
