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
 * Which of the writer's retransmissions meets the rebooted host is a race with the boot, and
 * with eight labs on two cores it goes either way: the boot was seen finishing 90-150 ms after
 * its nominal 1000 ms (the prediction counts from the nominal time, so a retransmission in
 * between is predicted to meet RST and does not), and once in CI the RST came at 1.24 s against
 * a predicted 1.85 s (a retransmission near the boundary landed after it). Tolerated here, so
 * that this test checks isolation: true when the only failed verdicts are crash-reboot's
 * "writer: predicted" and the writer still got ECONNRESET on recv (asserted below, in its
 * kernel window); the time itself is crash-reboot's own test's job, with one lab at a time.
 */
function rebootRaceOnly(report: Report): boolean {
  const failed = report.runs.flatMap((r) =>
    r.verdicts.filter((v) => !v.pass).map((v) => ({ run: r, v })),
  );
  return (
    failed.length > 0 &&
    failed.every(({ run, v }) => {
      const writer = run.connections.find((c) => c.id === "writer")?.firstFailure;
      return (
        run.scenario === "crash-reboot" &&
        v.expectation === "writer: predicted" &&
        writer?.call === "recv" &&
        writer.result === "ECONNRESET"
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
      const known = rebootRaceOnly(report);
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

    // each run's watcher saw its labs, so that the overlap check above looked at something: at
    // least crash-reboot's three hosts and its rebooted server, which live for seconds.
    // peer-close's lab lives a few tens of ms, which a look every 25 ms may miss altogether
    for (const w of runs) expect(w.labNetns.size).toBeGreaterThanOrEqual(4);

    // nothing of any run is left within ~1 s, and the machine is as it was
    const left = await Promise.all(runs.map((w) => w.settle(1000)));
    for (const l of left) expect(l).toEqual({ processes: [], netns: [] });
    expect(await settleTo(machineState, before, 1000)).toEqual(before);
  });
});
