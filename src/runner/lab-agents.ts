// How many sockets each end host of a run holds, and so how many agents it starts: one client
// socket per watched connection, and its accepted peer on the server, unless the scenario
// connects only after the fault (the server then holds no connection).
import { faultNamed } from "../faults/index.js";
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

/**
 * The end hosts whose agent must be a process of its own (src/lab/boot.ts, placement): the
 * node engine's sockets are made by libuv, and thousands of connections keep each host's
 * agents on CPUs of their own. Where the fault signals the server's process
 * (Fault.serverProcess), a single server's signals go to a stand-in process ("signals"). The
 * other agents' sockets live in tcpdrop's own process.
 */
export function needsProcess(
  scenario: Scenario,
  settings: Settings,
): { client: boolean; server: boolean | "signals" } {
  const scale = (settings.connections ?? 1) > 1;
  const signalled = faultNamed(scenario.fault).serverProcess === "real";
  return {
    client: scale || settings.engine === "node",
    server: scale || (signalled ? "signals" : false),
  };
}

/**
 * Lab sysctls for the client host at scale. Every client socket needs its own source port
 * (one client address, one server address and port), and connect() looks for a free one in
 * net.ipv4.ip_local_port_range, trying ports of one parity first: with the default range
 * (32768-60999, about 14,000 even ports) 20,000 sockets exhaust the first half, and each later
 * connect() scans thousands of taken ports in the kernel (seconds of system time in all). The
 * range is widened in the client's namespace only, so the scan stays short.
 */
export function scaleSysctls(settings: Settings): Record<string, string> {
  return (settings.connections ?? 1) > 1 ? { "net.ipv4.ip_local_port_range": "1024 65535" } : {};
}
