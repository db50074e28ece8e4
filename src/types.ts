// Shared data shapes: what an agent reports, what a run produces, what reporters print.
// Everything here is plain data so that it can be written as JSON unchanged.

import type { BlockedReport, ProgramCommands, ProgramReport } from "./program-types.js";
import type { CaptureSummary, WirePacket } from "./wire-types.js";

export type { BlockedReport, CaptureSummary, ProgramCommands, ProgramReport, WirePacket };

/** Which host a socket call was made on. */
export type Side = "client" | "server";

/** "OK", "EOF" (recv returned 0), or an errno name such as "ECONNRESET". */
export type CallResult = string;

/** One socket call that returned, as the agent saw it. */
export interface SocketEvent {
  /** Milliseconds since the fault (negative before it), from CLOCK_MONOTONIC. */
  tMs: number;
  side: Side;
  /** Connection id ("idle", "writer", ...); "listener" for the server's listening socket. */
  conn: string;
  call: string;
  result: CallResult;
  /** Bytes moved by recv/send when the call succeeded. */
  bytes?: number;
  /** Free-form detail, e.g. "203.0.113.2:7000" for connect, or a TCP_INFO state. */
  detail?: string;
}

export interface KeepaliveSetting {
  idle: number;
  interval: number;
  count: number;
}

/** The knobs a user turns; the same shape for run, compare and the JSON report. */
export type Engine = "syscall" | "node";

export interface Settings {
  /** How the client makes its socket calls: raw syscalls, or a node:net socket. */
  engine: Engine;
  keepalive: KeepaliveSetting | null;
  userTimeoutMs: number | null;
  /** net.ipv4.tcp_retries2 for the client namespace, or null to leave the lab default. */
  retries2: number | null;
  windowS: number;
  ignoreSigterm: boolean;
  graceMs: number;
  /** Detection methods to watch side by side (--detect); empty: the scenario's workloads. */
  detect?: DetectMethod[];
  /** heartbeat: ping every intervalMs, dead after `misses` unanswered (--heartbeat P,N). */
  heartbeat?: { intervalMs: number; misses: number };
  /** IP_RECVERR on the client sockets: ICMP errors are reported at once (--recverr). */
  recverr?: boolean;
  /** Leave SIGPIPE at its default action and MSG_NOSIGNAL off (--sigpipe default). */
  sigpipe?: boolean;
  /** Run the lab over IPv6, 2001:db8::/32 (--ipv6). */
  ipv6?: boolean;
  /** net.ipv4.tcp_syn_retries in the client namespace (--syn-retries). */
  synRetries?: number | null;
  /**
   * The router's ICMP rate limit (net.ipv4.icmp_ratelimit / net.ipv6.icmp.ratelimit) in ms
   * (--icmp-ratelimit; 0 = off), or null to leave the kernel's default (1000 ms).
   */
  icmpRatelimitMs?: number | null;
  /** How long a partition lasts before it heals (--duration), in ms. */
  durationMs?: number;
  /** Which side's sockets are watched: the client's (default) or the server's. */
  observer?: Side;
  /** How many connections of each workload (--connections); 1 by default. */
  connections?: number;
  /** "all": every call of every connection in the JSON even at scale (--events all). */
  events?: "all" | "summary";
  /** Remote mode (--client-via / --server-via): real hosts instead of the lab. */
  remote?: RemoteOptions;
  /** Middleboxes: the router forgets a flow idle this long, in whole seconds (--idle-timeout). */
  idleTimeoutS?: number;
  /** pooled: the request goes out this long after the connect, in ms (--request-after). */
  requestAfterMs?: number;
  /** conntrack-flush: nf_conntrack_tcp_loose in the router, mid-stream pickup (--loose on). */
  loose?: boolean;
  /** "off": no packet capture, no packets in the report (--packets off); "on" by default. */
  packets?: "on" | "off";
  /** How long the connections live before the fault, in ms (--pre-fault). */
  preFaultMs?: number;
  /** After a first failure, the follow-up calls are this far apart, in ms (--follow-up-gap). */
  followUpGapMs?: number;
  /** The user's own programs in the lab instead of the built-in ones (--client-cmd, --server-cmd). */
  programs?: ProgramCommands;
}

/** Remote mode's hosts and addresses (src/remote/options.ts parses them). */
export interface RemoteOptions {
  /** Command prefix that reaches the client host; absent: the client runs on this machine. */
  clientVia?: string;
  /** Command prefix that reaches the server host; absent: the server runs on this machine. */
  serverVia?: string;
  /** The address the client dials. */
  serverAddr: string;
  port: number;
  /** The agent's command line on a remote host (default `tcpdrop agent`). */
  remoteCommand?: string;
}

export const DETECT_METHODS = [
  "recv",
  "poll",
  "tcp-info",
  "keepalive",
  "user-timeout",
  "heartbeat",
  "urgent",
] as const;
export type DetectMethod = (typeof DETECT_METHODS)[number];

/** Facts about one client connection, measured around the fault, that predictions need. */
export interface ConnectionFacts {
  workload: string;
  /** Last time (ms from the fault, <= 0) this socket received a segment from the peer. */
  lastRecvMs: number;
  /** First send after the fault that was never acknowledged (ms from the fault), if any. */
  firstUnackedSendMs: number | null;
  /** tcpi_rto at the fault, in ms (the kernel's current retransmission timeout). */
  rtoMs: number;
  /** tcpi_rtt (the smoothed RTT) at the fault, in ms: ~0 in the lab, real between hosts. */
  srttMs?: number;
  /** How often the workload sends new data (ms), for those that send. */
  sendIntervalMs?: number;
  /** From its first send (at the connect) to its second (ms); absent: sendIntervalMs. */
  firstGapMs?: number;
  /** When the connection came up (its connect or accept returned), ms from the fault (<= 0). */
  connectedMs?: number | null;
}

/** Kernel parameters of the client namespace as read from the lab. */
export interface KernelParams {
  hz: number;
  retries2: number;
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
  synRetries?: number;
  /** net.ipv4.tcp_syn_linear_timeouts (0 where the kernel lacks it). */
  synLinearTimeouts?: number;
  /** The router's ICMP rate limit per destination host, in ms (0 = off). */
  icmpRatelimitMs?: number;
}

export interface Prediction {
  /** Expected call ("recv", "send") or null when any call could be first. */
  call: string | null;
  /** Expected result, or null when the kernel reports nothing (never detected). */
  result: CallResult | null;
  /** Expected ms after the fault; null with result null means "never". */
  afterMs: number | null;
  /** The reasoning, in words: "keepalive 1 s + 2 x 1 s from last activity". */
  basis: string;
  /**
   * Set when the time depends on something the model leaves out (e.g. other connections
   * spending the router's ICMP budget): why. Default "predicted" checks are then skipped.
   */
  uncertain?: string;
  /** The model's own advice (a middlebox: the keepalive that keeps the flow), shown even on failure. */
  hint?: string;
}

export interface FirstFailure {
  call: string;
  result: CallResult;
  afterMs: number;
}

export interface ConnectionReport {
  id: string;
  side: Side;
  workload: string;
  firstFailure: FirstFailure | null;
  predicted: Prediction | null;
  /** When undetected within the window: why, and which setting would notice sooner. */
  hint?: string | null;
  events: SocketEvent[];
  /** A traced program's connection: the socket options it set, as strace saw them. */
  options?: string;
  /** A traced program's calls still blocked when the run ended (or when their process died). */
  blocked?: BlockedReport[];
}

/** Detection times of a group of connections (--connections N), instead of N timelines. */
export interface Distribution {
  group: string;
  count: number;
  detected: number;
  /** The most common first failure, "recv ETIMEDOUT" (or "none"). */
  outcome: string;
  minMs: number | null;
  medianMs: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** The prediction of the group's first connection (each has its own; see p99ErrorMs). */
  predicted: Prediction | null;
  /** 99th percentile of |measured − predicted|, each connection against its own prediction. */
  p99ErrorMs: number | null;
  /**
   * Both tails of (measured − predicted): the 1st percentile (how early, negative when before
   * the prediction) and the 99th (how late); null when nothing was detected.
   */
  errorTailsMs?: { early: number | null; late: number | null } | null;
  /** From the first connect to the last: how long setting up the group took. */
  connectSpreadMs: number | null;
  histogram: { fromMs: number; toMs: number; count: number }[];
}

/** A scenario expectation the run did not check, and why. */
export interface SkippedExpectation {
  expectation: string;
  /** "about idle, which this run does not watch", "applies only with keepalive on", ... */
  reason: string;
}

export interface Verdict {
  expectation: string;
  pass: boolean;
  message: string;
}

export interface RunReport {
  scenario: string;
  /** The settings' name in a comparison ("keepalive 1,1,2"); absent for a plain run. */
  label?: string;
  /** 1-based repetition number with --repeat. */
  repetition?: number;
  engine: Engine;
  summary: string;
  /** Every setting of the run, and the client namespace's TCP sysctls as read. */
  settings: Settings & {
    sysctls: Record<string, string>;
    /** The router's ICMP rate limit sysctl as read after setup. */
    routerSysctls?: Record<string, string>;
  };

  /** Each watched connection; its events hold both sides' calls (event.side tells which). */
  connections: ConnectionReport[];
  /** With --connections N > 1: per group, the distribution of detection times. */
  distributions?: Distribution[];
  /** Things the lab or the server process did after the fault (a reboot, a signal), in order. */
  steps: { tMs: number; what: string }[];
  verdicts: Verdict[];
  /**
   * How many expectations were checked (verdicts.length; 0: nothing was checked, and the run
   * "passed" only in that nothing failed) and which were skipped, and why.
   */
  expectations?: { checked: number; skipped: SkippedExpectation[] };
  passed: boolean;
  durationMs: number;
  /** Every packet the router saw (not with --connections N unless --events all). */
  packets?: WirePacket[];
  capture?: CaptureSummary;
  /** --client-cmd: the user's client program. */
  program?: ProgramReport;
  /** --server-cmd: the user's server program. */
  serverProgram?: ProgramReport;
}

export interface Report {
  schemaVersion: 1;
  tool: { name: "tcpdrop"; version: string };
  kernel: string;
  runs: RunReport[];
}
