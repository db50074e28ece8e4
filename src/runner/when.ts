// Which of a scenario's expectations apply to this run's settings (an entry's `when:`), plus
// the ones given on the command line, which always apply.
import type { Expectation } from "../expect/index.js";
import type { Scenario } from "../scenario/load.js";
import type { Settings } from "../types.js";

export function applicableExpectations(
  scenario: Scenario,
  settings: Settings,
  extra: Expectation[] = [],
) {
  const facts = {
    keepalive: settings.keepalive !== null,
    userTimeout: settings.userTimeoutMs !== null,
    ignoreSigterm: settings.ignoreSigterm,
    recverr: settings.recverr ?? false,
    ipv6: settings.ipv6 ?? false,
  };
  const fromFile = scenario.expectations
    .filter(
      ({ when }) =>
        !when || Object.entries(when).every(([k, v]) => facts[k as keyof typeof facts] === v),
    )
    .map(({ expectation }) => expectation);
  return [...fromFile, ...extra];
}
