// scripts/call-sequences.mjs: what counts as the same call sequence when phases get shorter.
import { describe, expect, it } from "vitest";
import { callSequences, differences, sameStream } from "../../scripts/call-sequences.mjs";

const ev = (tMs: number, side: string, call: string, result: string) => ({
  tMs,
  side,
  conn: "writer",
  call,
  result,
});

describe("call sequences", () => {
  const run = {
    scenario: "half-close",
    connections: [
      {
        id: "writer",
        firstFailure: { afterMs: 100 },
        events: [
          ev(0, "client", "connect", "OK"),
          ev(10, "client", "send", "OK"),
          ev(20, "client", "send", "OK"),
          ev(100, "client", "recv", "EOF"),
          ev(120, "client", "send", "OK"),
          ev(140, "client", "send", "OK"),
          ev(0, "server", "accept", "OK"),
          ev(150, "server", "recv", "OK"),
          ev(160, "server", "recv", "EOF"),
        ],
      },
    ],
  };

  it("calls before the first failure repeat as one entry; after it every call counts, except data reads", () => {
    expect(callSequences(run)).toEqual({
      "client writer": ["connect OK", "send OK", "recv EOF", "send OK", "send OK"],
      "server writer": ["accept OK", "recv OK", "recv EOF"],
    });
  });

  it("a recorded line with two data reads in a row matches a run that read them at once", () => {
    const recorded =
      "client writer: connect OK, send OK, recv EOF, send OK, send OK | server writer: accept OK, recv OK, recv OK, recv EOF";
    expect(sameStream(recorded)).toContain("server writer: accept OK, recv OK, recv EOF");
    expect(differences({ runs: [run] }, { "half-close": [recorded] })).toEqual([]);
  });

  it("a follow-up that meets another answer is a difference", () => {
    const recorded =
      "client writer: connect OK, send OK, recv EOF, send OK, send EPIPE | server writer: accept OK, recv OK, recv EOF";
    expect(differences({ runs: [run] }, { "half-close": [recorded] })).toHaveLength(1);
  });
});
