// End to end, as root: four tcpdrop processes started at once (each running two labs at once,
// so eight labs on the machine) do not see each other: each measures what it measures alone,
// their labs are namespaces of their own, and once they are done nothing of any is left.
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/types.js";
import { connection, isRoot } from "./helpers.js";
import { machineState, settleTo, sleep, Watched } from "./process-tree.js";

const RUNS = 4;

function within(ms: number | undefined, from: number, to: number): void {
  expect(ms).toBeGreaterThanOrEqual(from);
  expect(ms).toBeLessThanOrEqual(to);
}

/** The failed expectations of a JSON report, for the assertion message. */
function failedVerdicts(stdout: string): string {
  try {
    const report = JSON.parse(stdout) as Report;
    return report.runs
      .flatMap((r) => r.verdicts.filter((v) => !v.pass).map((v) => `${r.scenario}: ${v.message}`))
      .join("; ");
  } catch {
    return stdout.slice(0, 200);
  }
}

/**
 * A known tcpdrop bug, tolerated here so that this test checks isolation and not it: the
 * crash-reboot prediction counts from the nominal reboot time (1000 ms), not from when the
 * host was actually back (the "server host is back" step, later on a loaded machine). When a
 * retransmission falls in between, the prediction names it while the RST only comes with the
 * next one, and "writer: predicted" fails. True when that, and only that, is what failed.
 */
function knownRebootMisprediction(report: Report): boolean {
  const failed = report.runs.flatMap((r) =>
    r.verdicts.filter((v) => !v.pass).map((v) => ({ run: r, v })),
  );
  return (
    failed.length > 0 &&
    failed.every(({ run, v }) => {
      const back = run.steps.find((s) => s.what.startsWith("server host is back"))?.tMs;
      const predicted = run.connections.find((c) => c.id === "writer")?.predicted?.afterMs;
      return (
        run.scenario === "crash-reboot" &&
        v.expectation === "writer: predicted" &&
        back !== undefined &&
        predicted != null &&
        predicted < back
      );
    })
  );
}

describe.skipIf(!isRoot)("concurrency: several tcpdrops at once", () => {
  it(`${RUNS} x "run peer-close crash-reboot --window 3 --json" at once: right outcomes, nothing left`, async () => {
    const before = machineState();
    const runs = Array.from(
      { length: RUNS },
      () => new Watched(["run", "peer-close", "crash-reboot", "--window", "3", "--json"], 25),
    );
    // while they all run, no namespace is held by two of them at once
    let finished = 0;
    for (const w of runs) w.exit.then(() => finished++);
    const overlaps: string[] = [];
    let looks = 0;
    while (finished === 0) {
      const held = runs.map((w) => w.currentNetns());
      looks++;
      held.forEach((mine, i) => {
        for (const ns of mine)
          for (let j = i + 1; j < held.length; j++)
            if (held[j].has(ns)) overlaps.push(`${ns} in runs ${i} and ${j}`);
      });
      await sleep(100);
    }
    const exits = await Promise.all(runs.map((w) => w.exit));

    exits.forEach((exit, i) => {
      expect(exit.signal).toBeNull();
      expect(exit.stderr, `run ${i}`).toBe("");
      const report = JSON.parse(exit.stdout) as Report;
      const known = knownRebootMisprediction(report);
      expect(
        exit.code === 0 || (exit.code === 1 && known),
        `run ${i} exit ${exit.code}: ${failedVerdicts(exit.stdout)}`,
      ).toBe(true);
      expect(report.runs.map((r) => r.scenario)).toEqual(["peer-close", "crash-reboot"]);
      for (const id of ["idle", "writer"]) {
        const c = connection(report, id, 0);
        expect(c.firstFailure, `run ${i} peer-close ${id}`).toMatchObject({
          call: "recv",
          result: "EOF",
        });
        within(c.firstFailure?.afterMs, 0, 100);
      }
      const writer = connection(report, "writer", 1);
      expect(writer.firstFailure, `run ${i} crash-reboot writer`).toMatchObject({
        call: "recv",
        result: "ECONNRESET",
      });
      within(writer.firstFailure?.afterMs, 1000, 2600);
      if (!known) expect(report.runs.every((r) => r.passed)).toBe(true);
    });

    // while they ran, they never shared a namespace (looked at every 100 ms)
    expect(overlaps).toEqual([]);
    expect(looks).toBeGreaterThan(5);

    // each run saw its labs: two labs of three hosts, and the rebooted server
    for (const w of runs) expect(w.labNetns.size).toBeGreaterThanOrEqual(6);

    // nothing of any run is left within ~1 s, and the machine is as it was
    const left = await Promise.all(runs.map((w) => w.settle(1000)));
    for (const l of left) expect(l).toEqual({ processes: [], netns: [] });
    expect(await settleTo(machineState, before, 1000)).toEqual(before);
  });
});
