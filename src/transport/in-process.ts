// The in-process end: an agent with no process of its own. Its sockets live in tcpdrop's own
// process, each created with the main thread inside the lab host's namespace for that one
// socket() call (src/lab/netns.ts); a socket stays in the namespace it was created in, and
// accepted sockets inherit their listener's. Commands are handed to the agent core and its
// messages come back as objects, in the order the core sends them: no JSON, no schema check,
// nothing crosses a process boundary. The times are the same clock's (src/clock.ts).
// All in-process agents share one epoll loop (one koffi worker thread), stopped when the last
// of them ends, so that tcpdrop can exit at once. Killing an end (SIGKILL, the only signal it
// takes) closes all its sockets together, as the kernel does for a process that dies; if
// tcpdrop itself dies, its sockets die with it.
// A server whose fault signals its process (kill, freeze, SIGTERM) runs here too, with a
// stand-in (inProcessServerTransport): SIGKILL and SIGSTOP reach a real process that holds its sockets
// (stand-in.ts), and SIGTERM runs the same handler as an agent process's.
import { AgentCore } from "../agent/core.js";
import { sys } from "../agent/libc.js";
import { inNetns } from "../lab/netns.js";
import { releasePoller, takePoller } from "../lab/shared-poller.js";
import type { AgentMessage } from "../protocol.js";
import { readyMessage } from "../version.js";
import { type StandIn, standIn } from "./stand-in.js";
import type { AgentLink, ChannelExit, LinkMessage, Transport } from "./transport.js";

/**
 * The agent flags an in-process end honours (--ignore-sigterm trivially: no signal reaches
 * it); --sigpipe-default needs a process that SIGPIPE can kill.
 */
const FLAGS = new Set(["--host", "--quiet", "--reuseport", "--ignore-sigterm"]);

export function inProcessTransport(netns: string, name: string): Transport {
  return {
    kind: "in-process",
    where: `tcpdrop's own process, in the lab's ${name} namespace`,
    sameClock: true,
    signalsReachAgent: false,
    open: async (flags) => openInProcess(netns, flags, false),
  };
}

/**
 * A server end whose process a fault signals: in tcpdrop's own process all the same, with a
 * real process standing in for it where a signal must reach one (stand-in.ts).
 */
export function inProcessServerTransport(netns: string, name: string): Transport {
  return {
    kind: "in-process",
    where: `tcpdrop's own process, in the lab's ${name} namespace, with a process to signal`,
    sameClock: true,
    signalsReachAgent: true,
    open: async (flags) => openInProcess(netns, flags, true),
  };
}

function openInProcess(netns: string, flags: string[], signalled: boolean): AgentLink {
  const unfit = flags.filter((f) => f.startsWith("--") && !FLAGS.has(f));
  if (unfit.length > 0) {
    throw new Error(
      `an in-process agent cannot honour ${unfit.join(" ")}: it needs a process of its own`,
    );
  }
  const host = flags[flags.indexOf("--host") + 1] ?? "?";
  const kept: LinkMessage[] = [];
  let deliver = (msg: LinkMessage) => {
    kept.push(msg);
  };
  let ended: (exit: ChannelExit) => void = () => {};
  const exited = new Promise<ChannelExit>((resolve) => {
    ended = resolve;
  });
  let alive = true;
  /** The real process that holds the server's sockets once a fault signalled it. */
  let stand: StandIn | undefined;
  const ignoreSigterm = flags.includes("--ignore-sigterm");
  const end = async (exit: ChannelExit) => {
    if (!alive) return;
    alive = false;
    core.vanish();
    await releasePoller();
    ended(exit);
  };
  const core = new AgentCore({
    host,
    quiet: flags.includes("--quiet"),
    reusePort: flags.includes("--reuseport"),
    poller: takePoller(),
    openSocket: (domain, type, protocol) =>
      inNetns(netns, () => sys.socket(domain, type, protocol)),
    emit: (msg: AgentMessage) => deliver(msg),
    // After the reply to "exit" has gone out, as a process replies and then exits.
    onExit: () => setImmediate(() => void end({ code: 0, signal: null })),
    nodeEngine: false,
  });
  /**
   * A fault's signal. SIGTERM runs the server's handler here (close every connection, exit);
   * SIGKILL and SIGSTOP go to a stand-in that takes over every socket, and this end falls
   * silent at once: whatever the stand-in's fate, the kernel decides what the peer sees.
   */
  const deliverSignal = (signal: NodeJS.Signals): void => {
    if (!alive) return;
    if (stand) {
      stand.kill(signal);
      return;
    }
    if (signal === "SIGTERM") {
      if (core.sigterm(ignoreSigterm)) setImmediate(() => void end({ code: 0, signal: null }));
      return;
    }
    if (signal !== "SIGKILL" && signal !== "SIGSTOP") {
      throw new Error(`the ${host} agent takes SIGKILL, SIGSTOP or SIGTERM, not ${signal}`);
    }
    const taken = standIn(core.openFds());
    stand = taken;
    core.vanish(); // its copies close; the stand-in's are now the last references
    // SIGKILL ends it at any stage; a stopped one must first be armed to die with tcpdrop.
    if (signal === "SIGKILL") taken.kill(signal);
    else void taken.ready.then(() => taken.kill(signal));
    void taken.exited.then((exit) => end(exit));
  };
  deliver(readyMessage(host));
  return {
    pid: undefined,
    exited,
    send(command) {
      if (alive) void core.handle(command);
    },
    onMessage(listener) {
      deliver = listener;
      for (const msg of kept.splice(0)) listener(msg);
    },
    onError() {},
    lastError: () => "",
    close: () => void end({ code: 0, signal: null }),
    kill(signal) {
      if (signal !== "SIGKILL") {
        throw new Error(
          `the ${host} agent runs in tcpdrop's own process: it cannot be sent ${signal}, only ended (SIGKILL)`,
        );
      }
      if (!alive) return;
      if (stand) {
        stand.kill("SIGKILL");
        return;
      }
      void end({ code: null, signal });
    },
    ...(signalled ? { deliverSignal } : {}),
  };
}
