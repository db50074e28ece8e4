// An agent in one of the lab's namespaces: the lab's transport (nsenter into the namespace)
// and the agent process started through it, ready to take requests.
import { labTransport } from "../transport/index.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";

export function startLabAgent(
  name: string,
  netns: string,
  flags: string[],
  onMessage: (host: string, msg: AgentMessage) => void,
): Promise<AgentProcess> {
  return AgentProcess.start(name, labTransport(netns, name), flags, onMessage);
}
