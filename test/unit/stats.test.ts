import { describe, expect, it } from "vitest";
import { median, outcomeOf, summarizeRepeats } from "../../src/runner/stats.js";
import type { ConnectionReport, FirstFailure, RunReport } from "../../src/types.js";

function conn(id: string, firstFailure: FirstFailure | null): ConnectionReport {
  return { id, side: "client", workload: id, firstFailure, predicted: null, events: [] };
}

const timedOut = (afterMs: number): FirstFailure => ({
  call: "recv",
  result: "ETIMEDOUT",
  afterMs,
});

/** One repetition of host-crash: idle's first failure (or null) and writer's. */
function rep(
  idle: FirstFailure | null,
  writer: FirstFailure | null = null,
  passed = true,
): RunReport {
  return {
    scenario: "host-crash",
    engine: "syscall",
    summary: "The server host vanishes silently.",
    settings: {
      keepalive: { idle: 1, interval: 1, count: 2 },
      userTimeoutMs: null,
      sysctls: { "net.ipv4.tcp_retries2": "15", "net.ipv4.tcp_keepalive_time": "7200" },
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
    },
    connections: [conn("idle", idle), conn("writer", writer)],
    steps: [],
    verdicts: [],
    passed,
    durationMs: 3000,
  };
}

describe("summarizeRepeats", () => {
  it("summarizes identical outcomes: not flaky, min/median/max over all (odd count)", () => {
    const s = summarizeRepeats([rep(timedOut(2805)), rep(timedOut(2799)), rep(timedOut(2830))]);
    expect(s).toMatchObject({ scenario: "host-crash", repetitions: 3, flaky: false });
    expect(s.failedRepetitions).toEqual([]);
    expect(s.connections.map((c) => c.id)).toEqual(["idle", "writer"]);
    expect(s.connections[0]).toEqual({
      id: "idle",
      outcomes: ["recv ETIMEDOUT", "recv ETIMEDOUT", "recv ETIMEDOUT"],
      outcome: "recv ETIMEDOUT",
      n: 3,
      repetitions: 3,
      minMs: 2799,
      medianMs: 2805,
      maxMs: 2830,
      flaky: false,
      differing: [],
    });
  });

  it("takes the mean of the two middle times for an even count", () => {
    const s = summarizeRepeats([
      rep(timedOut(2900)),
      rep(timedOut(2800)),
      rep(timedOut(2810)),
      rep(timedOut(3000)),
    ]);
    expect(s.connections[0]).toMatchObject({ n: 4, minMs: 2800, medianMs: 2855, maxMs: 3000 });
  });

  it("marks a connection flaky and lists the repetitions that differ", () => {
    const eof: FirstFailure = { call: "recv", result: "EOF", afterMs: 1.5 };
    const s = summarizeRepeats([
      rep(timedOut(2800)),
      rep(null),
      rep(timedOut(2820)),
      rep(eof),
      rep(timedOut(2810)),
    ]);
    const idle = s.connections[0];
    expect(idle.outcomes).toEqual([
      "recv ETIMEDOUT",
      "none",
      "recv ETIMEDOUT",
      "recv EOF",
      "recv ETIMEDOUT",
    ]);
    expect(idle).toMatchObject({
      outcome: "recv ETIMEDOUT",
      n: 3,
      repetitions: 5,
      flaky: true,
      differing: [2, 4],
      // The times of the differing repetitions (EOF after 1.5 ms) stay out of the spread.
      minMs: 2800,
      medianMs: 2810,
      maxMs: 2820,
    });
    expect(s.connections[1]).toMatchObject({ outcome: "none", flaky: false });
    expect(s.flaky).toBe(true);
  });

  it("reports all-'none' connections without times", () => {
    const s = summarizeRepeats([rep(null), rep(null)]);
    for (const c of s.connections) {
      expect(c).toMatchObject({
        outcome: "none",
        n: 2,
        minMs: null,
        medianMs: null,
        maxMs: null,
        flaky: false,
        differing: [],
      });
    }
    expect(s.flaky).toBe(false);
  });

  it("breaks a tie by the outcome that came first", () => {
    const s = summarizeRepeats([rep(null), rep(timedOut(2800))]);
    expect(s.connections[0]).toMatchObject({ outcome: "none", differing: [2], minMs: null });
  });

  it("calls repetitions flaky when the same outcomes pass in some and fail in others", () => {
    const s = summarizeRepeats([rep(timedOut(2800)), rep(timedOut(3400), null, false)]);
    expect(s.connections.every((c) => !c.flaky)).toBe(true);
    expect(s.failedRepetitions).toEqual([2]);
    expect(s.flaky).toBe(true);
    // Failing every time is steady, not flaky.
    expect(summarizeRepeats([rep(null, null, false), rep(null, null, false)]).flaky).toBe(false);
  });

  it("counts a connection that a repetition does not report as differing", () => {
    const short = rep(timedOut(2800));
    short.connections = short.connections.slice(0, 1);
    const s = summarizeRepeats([rep(timedOut(2790)), short, rep(timedOut(2810))]);
    expect(s.connections[1]).toMatchObject({
      id: "writer",
      outcomes: ["none", "missing", "none"],
      flaky: true,
      differing: [2],
    });
  });

  it("refuses no runs, or runs of different scenarios or settings", () => {
    expect(() => summarizeRepeats([])).toThrow(/no runs/);
    const other = { ...rep(null), scenario: "peer-close" };
    expect(() => summarizeRepeats([rep(null), other])).toThrow(/run 2 \(peer-close\)/);
    const b = rep(null);
    b.settings = { ...b.settings, userTimeoutMs: 3000 };
    expect(() => summarizeRepeats([rep(null), b])).toThrow(/same settings/);
    // Key order in sysctls does not matter.
    const c = rep(null);
    c.settings = {
      ...c.settings,
      sysctls: { "net.ipv4.tcp_keepalive_time": "7200", "net.ipv4.tcp_retries2": "15" },
    };
    expect(() => summarizeRepeats([rep(null), c])).not.toThrow();
  });
});

describe("outcomeOf and median", () => {
  it("writes the outcome as call and result", () => {
    expect(outcomeOf(rep(timedOut(1)), "idle")).toBe("recv ETIMEDOUT");
    expect(outcomeOf(rep(null), "idle")).toBe("none");
    expect(outcomeOf(rep(null), "nope")).toBe("missing");
  });

  it("finds the median of unsorted values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow();
  });
});
