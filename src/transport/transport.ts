// How the runner reaches an agent: a Transport opens a channel of JSON lines to one agent
// process, wherever it runs. The lab's transport enters a namespace on this machine (nsenter);
// the remote one runs a command prefix such as `ssh user@host` or `kubectl exec -i pod --`.
// The runner's AgentProcess speaks the protocol over any channel and never asks which kind it
// is. A channel needs no child process of its own (an in-process agent can implement it too).

/** How an agent's channel ended. */
export interface ChannelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One open line channel to an agent. */
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

export interface Transport {
  /** Where the agent runs, in words: "the lab's server namespace", "ssh user@host". */
  readonly where: string;
  /** True when the agent shares this machine's clock (CLOCK_MONOTONIC) with the runner. */
  readonly sameClock: boolean;
  /** True when signals sent to the channel's process reach the agent itself. */
  readonly signalsReachAgent: boolean;
  /** Start an agent with these agent flags (--host NAME, --quiet, ...). */
  open(flags: string[]): AgentChannel;
}
