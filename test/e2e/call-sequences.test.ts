// End to end, as root: at the default phases (--pre-fault, --follow-up-gap, measured in
// docs/phases.md) every built-in scenario's call sequence is the one it had at the old fixed
// values (250 ms, 100 ms), 3 runs out of 3. The reference is test/fixtures/call-sequences.json
// (scripts/record-call-sequences.mjs); a sequence is each socket's calls and results in order
// (scripts/call-sequences.mjs), not their times, ports or byte counts.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { differences } from "../../scripts/call-sequences.mjs";
import { FOLLOW_UP_GAP_MS } from "../../src/defaults.js";
import { PRE_FAULT_MS } from "../../src/plan/timing.js";
import type { Report } from "../../src/types.js";
import { isRoot, tcpdrop } from "./helpers.js";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/call-sequences.json", import.meta.url), "utf8"),
) as { scenarios: Record<string, string[]> };

const REPEAT = 3;

/**
 * Whether a failed verdict missed only on time: every "expected CONN CALL RESULT at ...; got
 * CALL RESULT at ..." in it names the same call and result (a loaded machine delays a call
 * past its window; it does not change what the kernel answered).
 */
function onlyLate(message: string): boolean {
  const misses = [
    ...message.matchAll(
      /expected (\S+) (\S+) (\S+) (?:at|within) (?:(?!expected ).)+?; got (\S+) (\S+) at/g,
    ),
  ];
  return misses.length > 0 && misses.every((m) => m[2] === m[4] && m[3] === m[5]);
}
/**
 * The writer's sequence when its beat crosses a SIGKILLed server's death (docs/phases.md): the
 * beat's data meets the dead socket's RST in the same event-loop turn as its FIN, so the writer
 * reads EOF and its first follow-up send already fails (recv EOF, send EPIPE). The reference
 * holds the other two orders of that race (the RST read first: recv ECONNRESET; the beat before
 * the death: recv EOF, send OK); the kernel gives this one when the death is late, at any
 * phases, and CI saw it once with other test files beside six labs.
 */
const KILLED_SERVER = new Set(["peer-kill", "server-restart"]);
const CROSSED = "client writer: connect OK, send OK, recv EOF, send EPIPE, send EPIPE";
const crossedDeath = (line: string) =>
  line
    .replace("client writer: connect OK, send OK, recv ECONNRESET, send EPIPE, send EPIPE", CROSSED)
    .replace("client writer: connect OK, send OK, recv EOF, send OK, send EPIPE", CROSSED);

const BUILT_INS = readdirSync(new URL("../../scenarios/", import.meta.url))
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => f.slice(0, -".yaml".length))
  .sort();

describe.skipIf(!isRoot)("call sequences at the default phases", () => {
  it("the reference has every built-in scenario, recorded at 250 ms / 100 ms", () => {
    expect(Object.keys(fixture.scenarios).sort()).toEqual(BUILT_INS);
    expect(
      readFileSync(new URL("../fixtures/call-sequences.json", import.meta.url), "utf8"),
    ).toContain("--pre-fault 250 --follow-up-gap 100");
  });

  it(`run all --repeat ${REPEAT}: every run's call sequence is the reference's, and every run passes`, async () => {
    // 66 labs at once (the default for a batch) on a 2-core CI machine delays some calls past
    // their predicted windows (seen: connect-refused +161 ms), and at 22 at once (with a build
    // running beside) a SIGKILLed server died ~150 ms late, so that the writer's next beat
    // met its FIN in the same event-loop turn (recv EOF, send EPIPE: peer-kill, server-restart).
    // At 11 and at 6 at once runs still missed windows by 13-320 ms (connect-refused, a
    // SIGKILLed server's EOF, lb-idle-timeout's RST) with the right call and result. Six at a
    // time keeps the sequences as recorded; the windows are each scenario's own test's job
    // (one lab at a time), so here a run may miss one only on time, never on call or result.
    const res = await tcpdrop(
      ["run", "all", "--repeat", String(REPEAT), "--parallel", "6", "--json"],
      540_000,
    );
    expect(res.code, res.stderr).not.toBe(2);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.runs).toHaveLength(REPEAT * BUILT_INS.length);
    for (const run of report.runs) {
      expect(run.settings).toMatchObject({
        preFaultMs: PRE_FAULT_MS,
        followUpGapMs: FOLLOW_UP_GAP_MS,
      });
    }
    const changed = differences(report, fixture.scenarios)
      .filter(
        (d) =>
          !(
            KILLED_SERVER.has(d.scenario) && d.expected.some((line) => crossedDeath(line) === d.got)
          ),
      )
      .map(
        (d) =>
          `${d.scenario} #${d.repetition}: ${d.got}\n  expected one of:\n  ${d.expected.join("\n  ")}`,
      );
    expect(changed.join("\n")).toBe("");
    const failed = report.runs
      .filter((r) => !r.passed)
      .flatMap((r) =>
        r.verdicts
          .filter((v) => !v.pass && !onlyLate(v.message))
          .map((v) => `${r.scenario} #${r.repetition}: ${v.message}`),
      );
    expect(failed.join("\n")).toBe("");
  }, 600_000);
});
