// An agent in one of the lab's namespaces, ready to take requests: in tcpdrop's own process
// (its sockets made inside the namespace), or a process of its own started in the namespace
// (nsenter) where a real process is needed.

import { inProcessTransport } from "../transport/in-process.js";
import { labTransport } from "../transport/index.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";

/** Where a lab agent runs: "in-process" in tcpdrop's own process, or "process" of its own. */
export type Placement = "in-process" | "process";

export function startLabAgent(
  name: string,
  netns: string,
  flags: string[],
  onMessage: (host: string, msg: AgentMessage) => void,
  placement: Placement,
): Promise<AgentProcess> {
  const transport =
    placement === "in-process" ? inProcessTransport(netns, name) : labTransport(netns, name);
  return AgentProcess.start(name, transport, flags, onMessage);
}
