// src/transport: how the runner reaches an agent (transport.ts says what a transport is).
// - lab: `nsenter --net=/proc/PID/ns/net -- node agent` into a lab host on this machine;
// - local: the agent in this machine's own namespace (remote mode's one local side);
// - command: a user's command prefix (`ssh user@host`, `kubectl exec -i pod --`, ...) followed
//   by `tcpdrop agent` (or --remote-command) on the other end.
import { fileURLToPath } from "node:url";
import { spawnChannel } from "./spawned.js";
import type { Transport } from "./transport.js";

export type { AgentChannel, ChannelExit, Transport } from "./transport.js";

const AGENT_MAIN = fileURLToPath(new URL("../agent/main.js", import.meta.url));
/** The agent dies with the runner: it checks that its parent is still this process. */
const runnerEnv = () => ({ ...process.env, TCPDROP_RUNNER_PID: String(process.pid) });

export function labTransport(netns: string, name: string): Transport {
  return {
    where: `the lab's ${name} namespace`,
    sameClock: true,
    signalsReachAgent: true,
    open: (flags) =>
      spawnChannel(
        "nsenter",
        [`--net=${netns}`, "--", process.execPath, AGENT_MAIN, ...flags],
        runnerEnv(),
      ),
  };
}

export function localTransport(): Transport {
  return {
    where: "this machine",
    sameClock: true,
    signalsReachAgent: true,
    open: (flags) => spawnChannel(process.execPath, [AGENT_MAIN, ...flags], runnerEnv()),
  };
}

/** The default agent command line on a remote host. */
export const DEFAULT_REMOTE_COMMAND = "tcpdrop agent";

/**
 * `VIA REMOTE-COMMAND FLAGS...` through sh, which execs it so that the channel's process is
 * the user's command itself (ssh, kubectl): closing its stdin ends the remote agent.
 */
export function commandTransport(via: string, remoteCommand = DEFAULT_REMOTE_COMMAND): Transport {
  return {
    where: via,
    sameClock: false,
    signalsReachAgent: false,
    open: (flags) => spawnChannel("sh", ["-c", `exec ${via} ${remoteCommand} ${flags.join(" ")}`]),
  };
}
