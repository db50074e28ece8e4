// Which expectations a run checks, and which it skips and why, so that none is dropped
// silently. The user's own (--expect) always apply: their names were checked against the run
// before any lab was built (see preflight.ts). A scenario's own expectations are skipped when
// their `when:` does not hold, or when they are about a connection the run does not watch
// (under --detect the connections are the methods). A --detect run with nothing else to check
// on a method checks that its first sign matches its prediction ("recv: predicted").
import { type Expectation, formatExpectation } from "../expect/index.js";
import type { Scenario } from "../scenario/load.js";
import type { ConnectionReport, Settings, SkippedExpectation } from "../types.js";
import { conditionHolds } from "./when.js";

export interface ExpectationPlan {
  /** Checked as they are (the scenario's, then the user's). */
  apply: Expectation[];
  /** Those of `apply` that come from the scenario file (the user's always apply). */
  fromScenario?: Expectation[];
  /** --detect's default "METHOD: predicted", checked where the method has a prediction. */
  defaults: Expectation[];
  skipped: SkippedExpectation[];
}

/** groups: the names of the connections the run watches ("idle", "writer" or the methods). */
export function planExpectations(
  scenario: Scenario,
  settings: Settings,
  extra: Expectation[],
  groups: string[],
): ExpectationPlan {
  const watched = new Set(groups);
  const apply: Expectation[] = [];
  const skipped: SkippedExpectation[] = [];
  for (const { expectation, when } of scenario.expectations) {
    const text = formatExpectation(expectation);
    if (when && !conditionHolds(when, settings)) {
      const flags = Object.entries(when).map(([k, v]) => `${k} ${v ? "on" : "off"}`);
      skipped.push({ expectation: text, reason: `applies only with ${flags.join(", ")}` });
    } else if (!watched.has(expectation.conn)) {
      skipped.push({
        expectation: text,
        reason: `about ${expectation.conn}, which this run does not watch`,
      });
    } else apply.push(expectation);
  }
  const fromScenario = [...apply];
  apply.push(...extra);
  const covered = new Set(apply.map((e) => e.conn));
  const defaults: Expectation[] = (settings.detect ?? [])
    .filter((method) => !covered.has(method))
    .map((method) => ({ kind: "predicted", conn: method, tolerance: null }));
  return { apply, fromScenario, defaults, skipped };
}

/**
 * The plan's expectations plus each default "METHOD: predicted" whose method has a prediction
 * (the first connection of its group, at scale); a default without one is reported as skipped,
 * and so is a default or scenario "predicted" whose prediction says it is uncertain (why).
 */
export function withDefaults(
  plan: ExpectationPlan,
  connections: ConnectionReport[],
  watched: { group: string }[],
): { expectations: Expectation[]; skipped: SkippedExpectation[] } {
  const expectations: Expectation[] = [];
  const skipped = [...plan.skipped];
  const predictionOf = (conn: string) =>
    connections.find((_, i) => watched[i]?.group === conn)?.predicted ?? null;
  const uncertain = (e: Expectation) =>
    e.kind === "predicted" ? (predictionOf(e.conn)?.uncertain ?? null) : null;
  for (const e of plan.apply) {
    const why = plan.fromScenario?.includes(e) ? uncertain(e) : null;
    if (why) skipped.push({ expectation: formatExpectation(e), reason: `uncertain: ${why}` });
    else expectations.push(e);
  }
  for (const e of plan.defaults) {
    const why = uncertain(e);
    if (why) skipped.push({ expectation: formatExpectation(e), reason: `uncertain: ${why}` });
    else if (predictionOf(e.conn)) expectations.push(e);
    else {
      skipped.push({ expectation: formatExpectation(e), reason: `${e.conn} has no prediction` });
    }
  }
  return { expectations, skipped };
}
