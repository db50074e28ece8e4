// How the runner reaches an agent: a Transport opens a link to one agent, wherever it runs.
// Commands go one way and the agent's messages (hello, events, "done", replies) the other.
// Three kinds of end:
// - in-process: the agent's sockets live in tcpdrop's own process (in-process.ts); messages
//   are handed over as objects, with no JSON and no schema check;
// - subprocess: an agent process in a lab namespace on this machine (nsenter) or in this
//   machine's own namespace; JSON lines over its stdin and stdout, checked with the
//   protocol's schemas where they cross the process boundary (checked-lines.ts);
// - remote: the same, through a command prefix such as `ssh user@host` or `kubectl exec`.
// The runner's AgentProcess speaks the protocol over any link and never asks which kind it is;
// the lab asks only `kind`, to know whether the end is a process it can signal.
import type { AgentMessage, Command } from "../protocol.js";

/** How an agent's link ended. */
export interface ChannelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One open line channel to an agent process (spawned.ts): the bytes of the protocol. */
export interface AgentChannel {
  /** PID of the local process behind the channel (the agent, or ssh/kubectl), if there is one. */
  readonly pid: number | undefined;
  /** Resolves once, when the channel is closed for good. */
  readonly exited: Promise<ChannelExit>;
  /** Send one line (a newline is added). */
  write(line: string): void;
  /** Each line the agent writes to its stdout, in order. */
  onLine(listener: (line: string) => void): void;
  /** The agent could not be started at all (e.g. the command was not found). */
  onError(listener: (err: Error) => void): void;
  /** The last line the agent (or the command that reaches it) wrote on stderr. */
  lastError(): string;
  /** Close the agent's stdin: it exits by itself, undoing what it set up on its host. */
  close(): void;
  /** End the channel's local end with a signal (closing it ends a remote agent too). */
  kill(signal: NodeJS.Signals): void;
}

/**
 * What a link hands the runner: the agent's messages, or word that something it received was
 * not the protocol (a line the schema rejects; with `id`, the payload of that command's reply).
 */
export type LinkMessage = AgentMessage | { type: "malformed"; id?: number; why: string };

/** One open link to an agent: commands in, messages out. */
export interface AgentLink {
  /** PID of the local process behind the link (the agent, or ssh/kubectl), if there is one. */
  readonly pid: number | undefined;
  /** Resolves once, when the agent is gone for good. */
  readonly exited: Promise<ChannelExit>;
  /** Send one command (it carries its id). */
  send(command: Command): void;
  /** Each message the agent sends, in order (messages sent before a listener are kept). */
  onMessage(listener: (msg: LinkMessage) => void): void;
  /** The agent could not be started at all (e.g. the command was not found). */
  onError(listener: (err: Error) => void): void;
  /** The last thing the agent (or the command that reaches it) said on stderr. */
  lastError(): string;
  /** End the agent the orderly way (stdin closed): it undoes what it set up on its host. */
  close(): void;
  /** End the agent at once. An in-process end takes SIGKILL only: its sockets close together. */
  kill(signal: NodeJS.Signals): void;
  /**
   * A fault's signal to the agent's process, where that is not the link's own process (an
   * in-process server with a stand-in); without it, a fault's signal goes to kill().
   */
  deliverSignal?(signal: NodeJS.Signals): void;
}

export type EndKind = "in-process" | "subprocess" | "remote";

export interface Transport {
  /** Which kind of end: only a subprocess or a remote end is a process a signal can reach. */
  readonly kind: EndKind;
  /** Where the agent runs, in words: "the lab's server namespace", "ssh user@host". */
  readonly where: string;
  /** True when the agent shares this machine's clock (CLOCK_MONOTONIC) with the runner. */
  readonly sameClock: boolean;
  /** True when signals sent to the link's process reach the agent itself. */
  readonly signalsReachAgent: boolean;
  /** Start an agent with these agent flags (--host NAME, --quiet, ...). */
  open(flags: string[]): Promise<AgentLink>;
}
