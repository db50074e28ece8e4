// --timing's phases: read from the runner's steps, its fault time and the run's own events,
// on this process's clock, in time order; the lines keep the times aligned.
import { describe, expect, it } from "vitest";
import { formatPhases, runPhases } from "../../src/runner/phase-timing.js";
import type { ConnectionReport } from "../../src/types.js";

const connection = (
  id: string,
  connectAt: number,
  failAfter: number | null,
): Pick<ConnectionReport, "events" | "firstFailure"> & ConnectionReport =>
  ({
    id,
    side: "client",
    workload: id,
    predicted: null,
    firstFailure: failAfter === null ? null : { call: "recv", result: "EOF", afterMs: failAfter },
    events: [
      { tMs: connectAt - 1, side: "server", conn: id, call: "accept", result: "OK" },
      { tMs: connectAt, side: "client", conn: id, call: "connect", result: "OK" },
      ...(failAfter === null
        ? []
        : [{ tMs: failAfter, side: "client" as const, conn: id, call: "recv", result: "EOF" }]),
    ],
  }) as ConnectionReport;

describe("runPhases", () => {
  it("places connected and the first failure by the fault, in time order", () => {
    const run = { connections: [connection("idle", -260, 0.6), connection("writer", -259, 1.5)] };
    const phases = runPhases({ start: 80, labBuilt: 300, fault: 1000, tornDown: 1400 }, run);
    expect(phases).toEqual([
      { name: "start", atMs: 80 },
      { name: "lab built", atMs: 300 },
      { name: "connected", atMs: 741 },
      { name: "fault", atMs: 1000 },
      { name: "first failure", atMs: 1000.6 },
      { name: "torn down", atMs: 1400 },
    ]);
  });

  it("leaves out what did not happen: no failure, no connection, no fault time", () => {
    const silent = { connections: [connection("idle", -250, null)] };
    expect(
      runPhases({ start: 1, labBuilt: 2, fault: 500, tornDown: 11_000 }, silent).map((p) => p.name),
    ).toEqual(["start", "lab built", "connected", "fault", "torn down"]);
    expect(runPhases({ start: 1, tornDown: 9 }, silent).map((p) => p.name)).toEqual([
      "start",
      "torn down",
    ]);
  });

  it("takes the first failure of a group of connections from its distribution", () => {
    const run = {
      connections: [],
      distributions: [{ minMs: 3050 } as never, { minMs: null } as never],
    };
    const phases = runPhases({ fault: 100, tornDown: 4000 }, run);
    expect(phases.find((p) => p.name === "first failure")?.atMs).toBe(3150);
  });
});

describe("formatPhases", () => {
  it("prints one line per phase, ms since the process started, aligned", () => {
    expect(
      formatPhases("peer-close", [
        { name: "start", atMs: 81.04 },
        { name: "torn down", atMs: 1706.1 },
      ]),
    ).toBe("timing      81.0 ms  peer-close: start\ntiming    1706.1 ms  peer-close: torn down\n");
  });
});
