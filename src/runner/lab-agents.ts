// How many sockets each end host of a run holds, and so how many agents it starts: one client
// socket per watched connection, and its accepted peer on the server, unless the scenario
// connects only after the fault (the server then holds no connection).
import { fileLimit } from "../lab/file-limit.js";
import { agentsPerHost, type HostCounts } from "../lab/sharding.js";
import { watchedConnections } from "../plan/index.js";
import type { Scenario } from "../scenario/load.js";
import type { Settings } from "../types.js";

export function socketsPerHost(scenario: Scenario, settings: Settings): HostCounts {
  const client = watchedConnections(scenario, settings).length;
  return { client, server: scenario.connectAfterFault ? 0 : client };
}

export function labAgents(
  scenario: Scenario,
  settings: Settings,
  limit = fileLimit().limit,
): HostCounts {
  return agentsPerHost(socketsPerHost(scenario, settings), limit);
}
