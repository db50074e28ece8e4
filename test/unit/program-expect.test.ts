// Expectations on a traced program (issue 11): `program: recv ETIMEDOUT within 2s..4s` matches
// every read-family syscall, `send` every write-family one; `exits within`, `exit code`; the
// `program` target stands for all the program's connections; flags and blocked-call texts.
import { describe, expect, it } from "vitest";
import { parseProgramFlags } from "../../src/commands/program-flags.js";
import { evaluate, formatExpectation, parseExpectation } from "../../src/expect/index.js";
import { blockedReport } from "../../src/runner/program-report.js";
import { programTarget } from "../../src/runner/program-target.js";
import type { ConnectionReport, ProgramReport } from "../../src/types.js";

function conn(id: string, call: string, result: string, afterMs: number): ConnectionReport {
  return {
    id,
    side: "client",
    workload: "program",
    firstFailure: { call, result, afterMs },
    predicted: { call: "recv", result: "ETIMEDOUT", afterMs: 3000, basis: "keepalive" },
    events: [{ tMs: afterMs, side: "client", conn: id, call, result }],
  };
}

const program = (exit: ProgramReport["exit"]): ProgramReport => ({
  command: "curl",
  exit,
  stdoutTail: [],
  stderrTail: [],
});

const A = "198.51.100.2:40000->203.0.113.2:7000";
const B = "198.51.100.2:40002->203.0.113.2:7000";

describe("program expectations: parse and format", () => {
  it("reads exits within and exit code, and prints them back unchanged", () => {
    for (const text of [
      "program: exits within 5s",
      "program: exit code 1",
      "server-program: exit code 0",
    ]) {
      expect(formatExpectation(parseExpectation(text))).toBe(text);
    }
    expect(parseExpectation("program: exits within 5s")).toEqual({
      kind: "exits",
      conn: "program",
      withinMs: 5000,
    });
    expect(parseExpectation("program: exit code 56")).toEqual({
      kind: "exit-code",
      conn: "program",
      code: 56,
    });
  });

  it("points at what is wrong in a bad one", () => {
    expect(() => parseExpectation("program: exit cod 1")).toThrow(/did you mean "code"/);
    expect(() => parseExpectation("program: exit code 300")).toThrow(
      /bad exit code "300".*0 to 255/,
    );
    expect(() => parseExpectation("program: exits within 1s..2s")).toThrow(
      /"exits within" takes one duration/,
    );
  });
});

describe("program expectations: evaluate", () => {
  const target = programTarget(
    [conn(A, "recvfrom", "ETIMEDOUT", 3050), conn(B, "read", "EOF", 5000)],
    "203.0.113.2:7000",
    {
      program: program({ code: 1, signal: null, afterMs: 3100 }),
    },
  );
  const check = (text: string) =>
    evaluate(parseExpectation(text), target.connections, 10, target.programs);

  it("recv matches recvfrom and read; the program's first failure is the earliest of its connections", () => {
    expect(check("program: recv ETIMEDOUT within 2s..4s").pass).toBe(true);
    expect(check("program: send ETIMEDOUT within 2s..4s").pass).toBe(false);
    expect(check("program: none within 4s").pass).toBe(false);
    expect(check("program: none within 3s").pass).toBe(true);
    expect(check("program: predicted").pass).toBe(true);
  });

  it("checks the exit: when, and with which code", () => {
    expect(check("program: exits within 5s")).toMatchObject({
      pass: true,
      message: "program exit code 1 at +3.100 s, within 5 s",
    });
    expect(check("program: exits within 3s").message).toBe(
      "expected program exits within 3 s after the fault; got exit code 1 at +3.100 s",
    );
    expect(check("program: exit code 1").pass).toBe(true);
    expect(check("program: exit code 0").message).toBe(
      "expected program exit code 0; got exit code 1 at +3.100 s",
    );
  });

  it("a program still running, or killed, fails exit code; no program at all is said so", () => {
    const running = programTarget([], "203.0.113.2:7000", { program: program(null) });
    const verdict = evaluate(
      parseExpectation("program: exits within 5s"),
      running.connections,
      10,
      running.programs,
    );
    expect(verdict.message).toMatch(/still running when the run ended/);
    const none = evaluate(parseExpectation("server-program: exit code 0"), [], 10, {});
    expect(none.message).toMatch(/got none/);
  });
});

describe("program flags and blocked calls", () => {
  it("--client-cmd/--server-cmd/--fault-after become settings.programs; empty commands are refused", () => {
    expect(parseProgramFlags({})).toBeUndefined();
    expect(parseProgramFlags({ clientCmd: "curl x" })).toEqual({
      client: "curl x",
      server: null,
      faultAfterMs: 1000,
    });
    expect(parseProgramFlags({ serverCmd: "srv", faultAfter: "0.25" })).toEqual({
      client: null,
      server: "srv",
      faultAfterMs: 250,
    });
    expect(() => parseProgramFlags({ clientCmd: "  " })).toThrow(/--client-cmd is empty/);
    expect(() => parseProgramFlags({ clientCmd: "x", faultAfter: "soon" })).toThrow(
      /--fault-after/,
    );
    expect(() => parseProgramFlags({ faultAfter: "1" })).toThrow(/goes with --client-cmd/);
  });

  it("says how long a call has been blocked, in the program's terms", () => {
    expect(blockedReport("read", 1000 - 800, null, 1000, 10_000).text).toBe(
      "blocked in read since −0.8 s: never returned within 10 s",
    );
    expect(blockedReport("recvfrom", 0, 3000, 1000, 10_000).text).toBe(
      "blocked in recvfrom since −1.0 s until its process ended at +2.0 s",
    );
  });
});
