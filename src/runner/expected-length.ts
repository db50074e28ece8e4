// How long a run is expected to watch after its fault, from the same predictions `explain`
// makes (typical facts, no lab): until the last watched connection's predicted failure, or the
// whole window when one is not predicted to fail within it. Only the order of a batch depends
// on it (the longest runs start first), never an outcome; a prediction that cannot be made
// counts as the whole window.
import { faultNamed } from "../faults/index.js";
import {
  kernelHz,
  kernelParams,
  phases,
  predictConnection,
  typicalFacts,
  watchedConnections,
} from "../plan/index.js";
import type { Scenario } from "../scenario/load.js";
import type { Settings } from "../types.js";
import { sendRhythm } from "./client-spec.js";

export function expectedWatchMs(scenario: Scenario, settings: Settings): number {
  const windowMs = settings.windowS * 1000;
  if (settings.programs) return windowMs; // a user's program ends when it ends
  try {
    const sysctls: Record<string, string> = {};
    if (settings.retries2 !== null) sysctls["net.ipv4.tcp_retries2"] = String(settings.retries2);
    if (settings.synRetries != null)
      sysctls["net.ipv4.tcp_syn_retries"] = String(settings.synRetries);
    const router: Record<string, string> =
      settings.icmpRatelimitMs != null
        ? { "net.ipv4.icmp_ratelimit": String(settings.icmpRatelimitMs) }
        : {};
    const kernel = kernelParams(sysctls, kernelHz().hz, router);
    const fault = faultNamed(scenario.fault);
    const all = watchedConnections(scenario, { ...settings, connections: 1 });
    const times = all.map((watched) => {
      const { preFaultMs } = phases(settings);
      const facts = typicalFacts(watched.workload, kernel.hz, preFaultMs, sendRhythm(watched));
      const input = { fault, params: scenario, measured: {}, watched, others: all, facts, kernel };
      return predictConnection(input).afterMs ?? Number.POSITIVE_INFINITY;
    });
    return Math.min(windowMs, Math.max(0, ...times));
  } catch {
    return windowMs;
  }
}
