import { describe, expect, it } from "vitest";
import {
  type CompareRow,
  formatDifference,
  formatDuration,
  renderCompare,
  renderRepeat,
} from "../../src/reporters/index.js";
import { summarizeRepeats } from "../../src/runner/stats.js";
import type {
  ConnectionReport,
  FirstFailure,
  KeepaliveSetting,
  Prediction,
  RunReport,
  Verdict,
} from "../../src/types.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\u001b\[[0-9;]*m/g;

const never: Prediction = { call: null, result: null, afterMs: null, basis: "nothing to notice" };
const at = (afterMs: number): Prediction => ({
  call: "recv",
  result: "ETIMEDOUT",
  afterMs,
  basis: "timers",
});
const RETRIES2_HINT =
  "the kernel gives up after ~938.7 s with tcp_retries2=15; try --user-timeout 3000";

function conn(
  id: string,
  firstFailure: FirstFailure | null,
  predicted: Prediction | null,
  hint: string | null = null,
): ConnectionReport {
  return { id, side: "client", workload: id, firstFailure, predicted, hint, events: [] };
}

function run(
  keepalive: KeepaliveSetting | null,
  userTimeoutMs: number | null,
  connections: ConnectionReport[],
  verdicts: Verdict[] = [],
): RunReport {
  return {
    scenario: "host-crash",
    engine: "syscall",
    summary: "The server host vanishes silently.",
    settings: {
      keepalive,
      userTimeoutMs,
      sysctls: { "net.ipv4.tcp_retries2": "15" },
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
    },
    connections,
    steps: [],
    verdicts,
    passed: verdicts.every((v) => v.pass),
    durationMs: 10_400,
  };
}

function rows(): CompareRow[] {
  return [
    {
      setting: "off",
      run: run(null, null, [
        conn("idle", null, never, "idle sockets need keepalive: try --keepalive 1,1,2"),
        conn("writer", null, at(938_701), RETRIES2_HINT),
      ]),
    },
    {
      setting: "keepalive 1,1,2",
      run: run({ idle: 1, interval: 1, count: 2 }, null, [
        conn("idle", { call: "recv", result: "ETIMEDOUT", afterMs: 2799 }, at(2791)),
        conn("writer", null, at(938_701), RETRIES2_HINT),
      ]),
    },
    {
      setting: "user-timeout 3000",
      run: run(
        null,
        3000,
        [
          conn("idle", null, never),
          conn("writer", { call: "send", result: "ETIMEDOUT", afterMs: 3600.04 }, at(3650.1)),
        ],
        [
          {
            expectation: "idle: recv ETIMEDOUT",
            pass: false,
            message: "expected idle recv ETIMEDOUT; got none within 10 s",
          },
        ],
      ),
    },
  ];
}

/** The body rows of a cli-table3 table, as trimmed cells. */
function cells(out: string): string[][] {
  return out
    .split("\n")
    .filter((l) => l.startsWith("│"))
    .map((l) =>
      l
        .split("│")
        .slice(1, -1)
        .map((c) => c.trim()),
    );
}

describe("renderCompare", () => {
  const out = renderCompare(rows(), { color: false });
  const [head, ...body] = cells(out);

  it("has one table with the columns, without engine when no row has one", () => {
    expect(head).toEqual([
      "setting",
      "connection",
      "first failure",
      "measured",
      "predicted",
      "difference",
    ]);
    expect(out.match(/┌/g)).toHaveLength(1);
  });

  it("writes one line per setting × connection with measured, predicted and difference", () => {
    expect(body).toEqual([
      ["off", "idle", "—", "undetected within 10 s", "never", "—"],
      ["off", "writer", "—", "undetected within 10 s", "938.7 s", "beyond window"],
      ["keepalive 1,1,2", "idle", "recv ETIMEDOUT", "2799.0 ms", "2791.0 ms", "+8.0 ms"],
      ["keepalive 1,1,2", "writer", "—", "undetected within 10 s", "938.7 s", "beyond window"],
      ["user-timeout 3000", "idle", "—", "undetected within 10 s", "never", "—"],
      ["user-timeout 3000", "writer", "send ETIMEDOUT", "3600.0 ms", "3650.1 ms", "-50.1 ms"],
    ]);
  });

  it("adds a hint line per undetected connection that has one, then the failures and FAIL", () => {
    const after = out
      .slice(out.lastIndexOf("┘") + 1)
      .trim()
      .split("\n")
      .filter(Boolean);
    expect(after).toEqual([
      "hint: off · idle: idle sockets need keepalive: try --keepalive 1,1,2",
      `hint: off · writer: ${RETRIES2_HINT}`,
      `hint: keepalive 1,1,2 · writer: ${RETRIES2_HINT}`,
      "✘ user-timeout 3000 · expected idle recv ETIMEDOUT; got none within 10 s",
      "FAIL (1 of 3 runs failed)",
    ]);
    expect(out.endsWith("FAIL (1 of 3 runs failed)\n")).toBe(true);
  });

  it("says PASS when every run passed", () => {
    const verdicts = [{ expectation: "idle: predicted", pass: true, message: "held" }];
    const passing = rows()
      .slice(0, 2)
      .map((r) => ({ ...r, run: { ...r.run, verdicts } }));
    expect(renderCompare(passing, { color: false }).trimEnd().split("\n").at(-1)).toBe("PASS");
    // Runs that checked nothing never read as PASS.
    const unchecked = rows().slice(0, 2);
    expect(renderCompare(unchecked, { color: false }).trimEnd().split("\n").at(-1)).toBe(
      "no expectations checked",
    );
  });

  it("shows the engine column when a row names one", () => {
    const withEngine = rows().map((r, i) => (i === 0 ? { ...r, engine: "syscall" } : r));
    const [h, first, second] = cells(renderCompare(withEngine, { color: false }));
    expect(h.slice(0, 3)).toEqual(["setting", "engine", "connection"]);
    expect(first.slice(0, 3)).toEqual(["off", "syscall", "idle"]);
    // A row without an engine label falls back to the run's engine.
    expect(second[1]).toBe("syscall");
  });

  it("writes — when the prediction lies inside the window but nothing was seen", () => {
    const r = run(null, null, [conn("writer", null, at(5000))]);
    const [, line] = cells(renderCompare([{ setting: "off", run: r }], { color: false }));
    expect(line).toEqual(["off", "writer", "—", "undetected within 10 s", "5000.0 ms", "—"]);
  });

  it("holds no ANSI codes without color and some with it", () => {
    expect(out).not.toMatch(ANSI);
    const colored = renderCompare(rows(), { color: true });
    expect(colored).toMatch(ANSI);
    expect(colored.replace(ANSI, "")).toBe(out);
  });
});

describe("renderRepeat", () => {
  const timedOut = (afterMs: number): FirstFailure => ({
    call: "recv",
    result: "ETIMEDOUT",
    afterMs,
  });
  const rep = (idle: FirstFailure | null) =>
    run({ idle: 1, interval: 1, count: 2 }, null, [
      conn("idle", idle, at(2791)),
      conn("writer", null, at(938_701)),
    ]);

  it("tabulates outcome, n, min, median, max and marks flaky connections", () => {
    const summary = summarizeRepeats([
      rep(timedOut(2799)),
      rep(null),
      rep(timedOut(2830)),
      rep(timedOut(2805)),
    ]);
    const out = renderRepeat(summary, { color: false });
    expect(out).not.toMatch(ANSI);
    expect(cells(out)).toEqual([
      ["connection", "outcome", "n", "min", "median", "max", "flaky"],
      [
        "idle",
        "recv ETIMEDOUT",
        "3/4",
        "2799.0 ms",
        "2805.0 ms",
        "2830.0 ms",
        "✘ differs in #2 (none)",
      ],
      ["writer", "none", "4/4", "—", "—", "—", "—"],
    ]);
    expect(out.trimEnd().split("\n").at(-1)).toBe(
      "FLAKY over 4 repetitions (1 of 2 connections differ)",
    );
    expect(renderRepeat(summary, { color: true }).replace(ANSI, "")).toBe(out);
  });

  it("says STEADY when every repetition saw the same", () => {
    const summary = summarizeRepeats([rep(timedOut(2799)), rep(timedOut(2801))]);
    const out = renderRepeat(summary, { color: false });
    expect(cells(out)[1]).toEqual([
      "idle",
      "recv ETIMEDOUT",
      "2/2",
      "2799.0 ms",
      "2800.0 ms",
      "2801.0 ms",
      "—",
    ]);
    expect(out.trimEnd().split("\n").at(-1)).toBe("STEADY over 2 repetitions");
  });
});

describe("formatting", () => {
  it("writes durations in ms below a minute and in s from a minute on", () => {
    expect(formatDuration(2791)).toBe("2791.0 ms");
    expect(formatDuration(59_999.9)).toBe("59999.9 ms");
    expect(formatDuration(938_701)).toBe("938.7 s");
  });

  it("signs differences and never writes -0.0", () => {
    expect(formatDifference(8)).toBe("+8.0 ms");
    expect(formatDifference(-50.06)).toBe("-50.1 ms");
    expect(formatDifference(-0.04)).toBe("+0.0 ms");
    expect(formatDifference(0)).toBe("+0.0 ms");
    expect(formatDifference(-62_340)).toBe("-62.3 s");
  });
});
