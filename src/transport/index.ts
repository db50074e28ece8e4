// src/transport: how the runner reaches an agent (transport.ts says what a transport is).
// - in-process (in-process.ts): the agent's sockets in tcpdrop's own process, made inside a
//   lab namespace; no child process at all;
// - lab: `nsenter --net=/proc/PID/ns/net -- node agent` into a lab host on this machine;
// - local: the agent in this machine's own namespace (remote mode's one local side);
// - command: a user's command prefix (`ssh user@host`, `kubectl exec -i pod --`, ...) followed
//   by `tcpdrop agent` (or --remote-command) on the other end.
// The ends with a process behind them speak JSON lines checked with the protocol's schemas
// (checked-lines.ts); that code, and the child process and line reading of spawned.ts, is
// loaded only when such an end is opened.
import { fromRoot } from "../package-root.js";
import type { AgentLink, Transport } from "./transport.js";

export type {
  AgentChannel,
  AgentLink,
  ChannelExit,
  EndKind,
  LinkMessage,
  Transport,
} from "./transport.js";

/** The agent as the CLI ships it: esbuild's bundle (scripts/bundle.mjs), one file to load. */
const AGENT_MAIN = fromRoot("dist", "bundle", "agent", "main.cjs");
/** The agent dies with the runner: it checks that its parent is still this process. */
const runnerEnv = () => ({ ...process.env, TCPDROP_RUNNER_PID: String(process.pid) });

/**
 * `file args` as a child speaking JSON lines over its stdio, checked where they cross the
 * process boundary. The checker is loaded before the child starts, so that no line it writes
 * can come before its listener.
 */
async function checked(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<AgentLink> {
  const [{ checkedLink }, { spawnChannel }] = await Promise.all([
    import("./checked-lines.js"),
    import("./spawned.js"),
  ]);
  return checkedLink(spawnChannel(file, args, env));
}

export function labTransport(netns: string, name: string): Transport {
  return {
    kind: "subprocess",
    where: `the lab's ${name} namespace`,
    sameClock: true,
    signalsReachAgent: true,
    open: (flags) =>
      checked(
        "nsenter",
        [`--net=${netns}`, "--", process.execPath, AGENT_MAIN, ...flags],
        runnerEnv(),
      ),
  };
}

export function localTransport(): Transport {
  return {
    kind: "subprocess",
    where: "this machine",
    sameClock: true,
    signalsReachAgent: true,
    open: (flags) => checked(process.execPath, [AGENT_MAIN, ...flags], runnerEnv()),
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
    kind: "remote",
    where: via,
    sameClock: false,
    signalsReachAgent: false,
    open: (flags) => checked("sh", ["-c", `exec ${via} ${remoteCommand} ${flags.join(" ")}`]),
  };
}
