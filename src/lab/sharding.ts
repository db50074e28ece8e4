// How many agents an end host needs: each agent holds one descriptor per socket plus its own,
// under its RLIMIT_NOFILE. Where the limit cannot hold a run's sockets in one process, they are
// spread over several agents of the same host, up to MAX_AGENTS_PER_HOST (each costs a Node
// process of about 50 MB); beyond that the run is refused before any lab is built.
import { AGENT_OWN_DESCRIPTORS } from "./file-limit.js";

export const MAX_AGENTS_PER_HOST = 4;

/**
 * SO_REUSEPORT deals a server's connections out by a hash of their addresses, so an agent may
 * get a few more than its share: server agents are filled to 95 % of their room at most.
 */
const SERVER_HEADROOM = 0.95;

/** Sockets each end host holds for a run, and how many agents hold them. */
export interface HostCounts {
  client: number;
  server: number;
}

/** Sockets one agent has room for under `limit` descriptors. */
function room(limit: number): number {
  return Math.max(1, limit - AGENT_OWN_DESCRIPTORS);
}

/** Agents per end host for these sockets, under a descriptor limit of `limit` per agent. */
export function agentsPerHost(sockets: HostCounts, limit: number): HostCounts {
  const serverRoom = Math.max(1, Math.floor(room(limit) * SERVER_HEADROOM));
  return {
    client: Math.max(1, Math.ceil(sockets.client / room(limit))),
    server: sockets.server <= room(limit) ? 1 : Math.ceil(sockets.server / serverRoom),
  };
}

/** Whether the agents a run needs stay within MAX_AGENTS_PER_HOST on both hosts. */
export function fits(sockets: HostCounts, limit: number): boolean {
  const agents = agentsPerHost(sockets, limit);
  return Math.max(agents.client, agents.server) <= MAX_AGENTS_PER_HOST;
}

/** The most sockets a host can hold under `limit` with MAX_AGENTS_PER_HOST agents. */
export function mostSockets(limit: number): number {
  return MAX_AGENTS_PER_HOST * Math.floor(room(limit) * SERVER_HEADROOM);
}
