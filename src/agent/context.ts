// What an agent's connections and server share, whether the agent is a process of its own
// (main.ts) or lives in tcpdrop's process (src/transport/in-process.ts): the epoll loop, the
// way to create a socket in the agent's host, where its messages go, and its hold on sends.
// A socket belongs to the network namespace it was created in, so creating it is the one call
// that depends on where the agent runs; every later call on it (bind, connect, accept, recv,
// send) acts in that namespace whichever thread makes it.
import { nowMs } from "../clock.js";
import type { AgentMessage, CallEvent } from "../protocol.js";
import type { SendHold } from "./hold.js";
import type { Poller } from "./poller.js";

/** socket(2) in the agent's host: its fd, or -1 with errno set. */
export type OpenSocket = (domain: number, type: number, protocol: number) => number;

export interface AgentContext {
  readonly poller: Poller;
  readonly openSocket: OpenSocket;
  /** One message to the runner: an event, "done", a reply. */
  emit(message: AgentMessage): void;
  readonly sends: SendHold;
}

/** One socket call that returned, stamped with the time it returned. */
export function emitCall(ctx: AgentContext, event: CallEvent, t = nowMs()): void {
  ctx.emit({ type: "event", t, ...event });
}
