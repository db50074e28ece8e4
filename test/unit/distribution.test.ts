import { describe, expect, it } from "vitest";
import { renderHistogram } from "../../src/reporters/histogram.js";
import { distribution, histogram, quantile } from "../../src/runner/distribution.js";
import type {
  ConnectionReport,
  Distribution,
  FirstFailure,
  Prediction,
  SocketEvent,
} from "../../src/types.js";

function prediction(afterMs: number | null): Prediction {
  return {
    call: "recv",
    result: afterMs === null ? null : "ETIMEDOUT",
    afterMs,
    basis: "test",
  };
}

function member(
  id: string,
  firstFailure: FirstFailure | null,
  predicted: Prediction | null,
  events: SocketEvent[] = [],
): ConnectionReport {
  return { id, side: "client", workload: "idle", firstFailure, predicted, events };
}

function connectAt(conn: string, tMs: number, side: "client" | "server" = "client"): SocketEvent {
  return { tMs, side, conn, call: "connect", result: "OK" };
}

const ff = (call: string, result: string, afterMs: number): FirstFailure => ({
  call,
  result,
  afterMs,
});

/** 1, 2, ..., n in order. */
const oneTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("distribution(): a group of four connections", () => {
  const members = [
    member("idle-1", ff("recv", "ETIMEDOUT", 3000), prediction(2990), [
      connectAt("idle-1", -250.25),
      // Not a connect: ignored for the spread even though it is earlier.
      { tMs: -260, side: "server", conn: "idle-1", call: "accept", result: "OK" },
      { tMs: 3000, side: "client", conn: "idle-1", call: "recv", result: "ETIMEDOUT" },
    ]),
    member("idle-2", ff("recv", "ETIMEDOUT", 3100), prediction(3000), [connectAt("idle-2", -248)]),
    member("idle-3", ff("send", "EPIPE", 5000), prediction(3000), [connectAt("idle-3", -240)]),
    member("idle-4", null, prediction(2990), [connectAt("idle-4", -245)]),
  ];
  const d = distribution("idle", members);

  it("counts members and detected ones", () => {
    expect(d.group).toBe("idle");
    expect(d.count).toBe(4);
    expect(d.detected).toBe(3);
  });

  it("names the most common first failure", () => {
    expect(d.outcome).toBe("recv ETIMEDOUT");
  });

  it("gives min, median, p99 and max of the detection times by nearest rank", () => {
    // Sorted times: 3000, 3100, 5000. Median: rank ceil(1.5) = 2; p99: rank ceil(2.97) = 3.
    expect(d.minMs).toBe(3000);
    expect(d.medianMs).toBe(3100);
    expect(d.p99Ms).toBe(5000);
    expect(d.maxMs).toBe(5000);
  });

  it("keeps the first member's prediction", () => {
    expect(d.predicted).toEqual(prediction(2990));
  });

  it("measures p99 error per connection (measured minus its own prediction)", () => {
    // Errors: 10, 100, 2000 (5000 - 3000). Against the first prediction it would be 2010.
    expect(d.p99ErrorMs).toBe(2000);
    expect(d.errorTailsMs).toEqual({ early: 10, late: 2000 });
  });

  it("penalises early detections: p99 is over the absolute error", () => {
    const early = distribution("idle", [
      member("idle-1", ff("recv", "ETIMEDOUT", 1000), prediction(3000)),
      member("idle-2", ff("recv", "ETIMEDOUT", 2990), prediction(3000)),
      member("idle-3", ff("recv", "ETIMEDOUT", 3005), prediction(3000)),
    ]);
    // Errors -2000, -10, +5: the signed p99 would be +5; the absolute p99 is 2000.
    expect(early.p99ErrorMs).toBe(2000);
    expect(early.errorTailsMs).toEqual({ early: -2000, late: 5 });
  });

  it("measures connect spread from connect events only, rounded to 0.1 ms", () => {
    // -240 - (-250.25) = 10.25 -> 10.3
    expect(d.connectSpreadMs).toBe(10.3);
  });

  it("has a 10-bin histogram of the detected times", () => {
    expect(d.histogram).toHaveLength(10);
    expect(d.histogram.reduce((n, b) => n + b.count, 0)).toBe(3);
    expect(d.histogram[0]).toEqual({ fromMs: 3000, toMs: 3200, count: 2 });
    expect(d.histogram[9]).toEqual({ fromMs: 4800, toMs: 5000, count: 1 });
  });
});

describe("distribution(): edge cases", () => {
  it("an empty group: nothing detected, every statistic null", () => {
    expect(distribution("writer", [])).toEqual({
      group: "writer",
      count: 0,
      detected: 0,
      outcome: "none",
      minMs: null,
      medianMs: null,
      p99Ms: null,
      maxMs: null,
      predicted: null,
      p99ErrorMs: null,
      errorTailsMs: null,
      connectSpreadMs: null,
      histogram: [],
    });
  });

  it("a group where nothing failed: outcome none, statistics null, spread still measured", () => {
    const d = distribution("idle", [
      member("idle-1", null, prediction(null), [connectAt("idle-1", -250)]),
      member("idle-2", null, prediction(null), [connectAt("idle-2", -200)]),
    ]);
    expect(d.count).toBe(2);
    expect(d.detected).toBe(0);
    expect(d.outcome).toBe("none");
    expect(d.minMs).toBeNull();
    expect(d.medianMs).toBeNull();
    expect(d.p99Ms).toBeNull();
    expect(d.maxMs).toBeNull();
    expect(d.p99ErrorMs).toBeNull();
    expect(d.connectSpreadMs).toBe(50);
    expect(d.histogram).toEqual([]);
  });

  it('"none" wins when most connections saw nothing', () => {
    const d = distribution("idle", [
      member("idle-1", null, null),
      member("idle-2", null, null),
      member("idle-3", ff("recv", "EOF", 5), null),
    ]);
    expect(d.outcome).toBe("none");
    expect(d.detected).toBe(1);
    expect(d.medianMs).toBe(5);
  });

  it("skips connections without a timed prediction when measuring the error", () => {
    const d = distribution("idle", [
      member("idle-1", ff("recv", "ETIMEDOUT", 3000), prediction(null)),
      member("idle-2", ff("recv", "ETIMEDOUT", 3050.04), prediction(3000)),
      member("idle-3", ff("recv", "ETIMEDOUT", 9000), null),
    ]);
    expect(d.detected).toBe(3);
    expect(d.p99ErrorMs).toBe(50);
  });

  it("all early (detected before the prediction): p99 of |error| is the earliest, both tails negative", () => {
    const d = distribution("idle", [
      member("idle-1", ff("recv", "ETIMEDOUT", 2900), prediction(3000)),
      member("idle-2", ff("recv", "ETIMEDOUT", 2950), prediction(3000)),
    ]);
    expect(d.p99ErrorMs).toBe(100);
    expect(d.errorTailsMs).toEqual({ early: -100, late: -50 });
  });

  it("no connect events: no spread", () => {
    const d = distribution("idle", [member("idle-1", ff("recv", "EOF", 1), null)]);
    expect(d.connectSpreadMs).toBeNull();
  });

  it("sorts unsorted detection times before taking statistics", () => {
    const times = [70, 10, 50, 30, 90, 20, 80, 40, 60, 100];
    const d = distribution(
      "idle",
      times.map((t, i) => member(`idle-${i + 1}`, ff("recv", "EOF", t), null)),
    );
    expect(d.minMs).toBe(10);
    expect(d.medianMs).toBe(50);
    expect(d.p99Ms).toBe(100);
    expect(d.maxMs).toBe(100);
  });
});

describe("quantile() (nearest rank)", () => {
  it("null for no values", () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([], 0.99)).toBeNull();
  });

  it("a single value is every quantile", () => {
    expect(quantile([7], 0.5)).toBe(7);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([7], 1)).toBe(7);
  });

  it("median of an even count is the lower middle value", () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
  });

  it("median of an odd count is the middle value", () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
  });

  it("p99 of 1..100 is 99, not 100", () => {
    expect(quantile(oneTo(100), 0.99)).toBe(99);
    expect(quantile(oneTo(100), 0.5)).toBe(50);
  });

  it("p99 of 1..200 is 198 and of 1..101 is 100", () => {
    expect(quantile(oneTo(200), 0.99)).toBe(198);
    expect(quantile(oneTo(101), 0.99)).toBe(100);
  });

  it("p99 of fewer than 100 values is the maximum", () => {
    expect(quantile(oneTo(50), 0.99)).toBe(50);
  });

  it("q = 1 is the maximum", () => {
    expect(quantile([3, 5, 9], 1)).toBe(9);
  });
});

describe("histogram()", () => {
  it("no values: no bins", () => {
    expect(histogram([])).toEqual([]);
  });

  it("ten equal bins from the smallest to the largest value, every value counted", () => {
    const values = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    const bins = histogram(values);
    expect(bins).toHaveLength(10);
    expect(bins.map((b) => b.fromMs)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(bins.map((b) => b.toMs)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    // The largest value falls into the last bin, not an eleventh one.
    expect(bins.map((b) => b.count)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it("counts every value of a skewed set", () => {
    const values = [100, 101, 102, 103, 104, 150, 199, 200];
    const bins = histogram(values);
    expect(bins).toHaveLength(10);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(values.length);
    expect(bins[0]).toEqual({ fromMs: 100, toMs: 110, count: 5 });
    expect(bins[5]).toEqual({ fromMs: 150, toMs: 160, count: 1 });
    expect(bins[9]).toEqual({ fromMs: 190, toMs: 200, count: 2 });
  });

  it("one distinct value: ten 0.1 ms bins, all values in the first", () => {
    const bins = histogram([42, 42, 42]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toEqual({ fromMs: 42, toMs: 42.1, count: 3 });
    expect(bins.slice(1).every((b) => b.count === 0)).toBe(true);
    expect(bins[9]).toEqual({ fromMs: 42.9, toMs: 43, count: 0 });
  });

  it("rounds bin edges to 0.1 ms", () => {
    const bins = histogram([0, 1]);
    expect(bins[3]).toMatchObject({ fromMs: 0.3, toMs: 0.4 });
  });
});

describe("renderHistogram()", () => {
  function withBins(counts: number[]): Distribution {
    return {
      ...distribution("idle", []),
      histogram: counts.map((count, i) => ({ fromMs: i * 10, toMs: (i + 1) * 10, count })),
    };
  }
  const barLength = (line: string) => [...line].filter((c) => c === "█").length;

  it("one line per bin; the fullest bin gets 40 characters, the others in proportion", () => {
    const lines = renderHistogram(withBins([4, 2, 1, 0, 3, 0, 0, 0, 0, 4]));
    expect(lines).toHaveLength(10);
    expect(lines.map(barLength)).toEqual([40, 20, 10, 0, 30, 0, 0, 0, 0, 40]);
  });

  it("rounds bar lengths", () => {
    // 1/3 of 40 = 13.3 -> 13; 2/3 of 40 = 26.7 -> 27.
    const lines = renderHistogram(withBins([3, 1, 2]));
    expect(lines.map(barLength)).toEqual([40, 13, 27]);
  });

  it("shows the bin's range and count", () => {
    const [line] = renderHistogram(withBins([5]));
    expect(line).toMatch(/^\s+0\.0 – \s+10\.0 ms\s+5 █{40}$/);
  });

  it("all-empty bins draw no bars (no division by zero)", () => {
    const lines = renderHistogram(withBins([0, 0]));
    expect(lines.map(barLength)).toEqual([0, 0]);
    expect(lines.join("")).not.toContain("NaN");
  });

  it("no bins: no lines", () => {
    expect(renderHistogram(distribution("idle", []))).toEqual([]);
  });
});
