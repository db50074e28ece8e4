// Which of a scenario's expectations apply to this run's settings (an entry's `when:`), plus
// the ones given on the command line, which always apply.
import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/load.js";
import type { Condition } from "../scenario/schema.js";
import type { Settings } from "../types.js";

/** Does an entry's `when: { keepalive: true, ... }` hold for these settings? */
export function conditionHolds(when: Condition, settings: Settings): boolean {
  const facts = {
    keepalive: settings.keepalive !== null,
    userTimeout: settings.userTimeoutMs !== null,
    ignoreSigterm: settings.ignoreSigterm,
    recverr: settings.recverr ?? false,
    ipv6: settings.ipv6 ?? false,
    loose: settings.loose ?? false,
  };
  return Object.entries(when).every(([k, v]) => facts[k as keyof typeof facts] === v);
}

export function applicableExpectations(
  scenario: Scenario,
  settings: Settings,
  extra: Expectation[] = [],
) {
  const fromFile = scenario.expectations
    .filter(({ when }) => !when || conditionHolds(when, settings))
    .map(({ expectation }) => expectation);
  return [...fromFile, ...extra];
}
