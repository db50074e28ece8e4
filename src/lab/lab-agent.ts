// An agent in one of the lab's namespaces, ready to take requests: in tcpdrop's own process
// (its sockets made inside the namespace), or a process of its own started in the namespace
// (nsenter) where a real process is needed.

import { inProcessServerTransport, inProcessTransport } from "../transport/in-process.js";
import { labTransport, type Transport } from "../transport/index.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";

/**
 * Where a lab agent runs: "in-process" in tcpdrop's own process, "signalled" there too with a
 * stand-in process for a fault's signals (src/transport/stand-in.ts), or "process" of its own.
 */
export type Placement = "in-process" | "signalled" | "process";

const TRANSPORTS: Record<Placement, (netns: string, name: string) => Transport> = {
  "in-process": inProcessTransport,
  signalled: inProcessServerTransport,
  process: labTransport,
};

export function startLabAgent(
  name: string,
  netns: string,
  flags: string[],
  onMessage: (host: string, msg: AgentMessage) => void,
  placement: Placement,
): Promise<AgentProcess> {
  return AgentProcess.start(name, TRANSPORTS[placement](netns, name), flags, onMessage);
}
