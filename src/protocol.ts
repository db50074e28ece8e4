// The runner <-> agent protocol, in one place: the commands the runner writes to an agent's
// stdin, the replies, and the messages (events, "done", "ready") the agent writes to stdout,
// one JSON object a line. Both sides import these types; each side checks what it receives
// with the zod schemas below, so a renamed field fails at the boundary with its name. They are
// written with zod/mini (the same checks, functional style): an agent process loads them before
// its first command, and full zod with its locales is ~750 kB of JavaScript to compile at
// every agent start (~60 ms), zod/mini ~50 kB.
import * as z from "zod/mini";

const socketOptions = z.object({
  keepalive: z.optional(
    z.nullable(z.object({ idle: z.number(), interval: z.number(), count: z.number() })),
  ),
  userTimeoutMs: z.optional(z.nullable(z.number())),
  recverr: z.optional(z.boolean()),
});

export const WORKLOADS = [
  "idle",
  "writer",
  "urgent",
  "heartbeat",
  "poll",
  "tcp-info",
  "pooled",
] as const;
export type Workload = (typeof WORKLOADS)[number];

const clientSpec = z.object({
  conn: z.string(),
  workload: z.enum(WORKLOADS),
  ip: z.string(),
  port: z.number(),
  options: socketOptions,
  sendIntervalMs: z.number(),
  /** From the first send (at the connect) to the second; absent: sendIntervalMs. */
  firstGapMs: z.optional(z.number().check(z.minimum(0))),
  /** pooled: when the request goes out, ms after the connection is up. */
  requestAfterMs: z.optional(z.number()),
  /** After the first failure, the follow-up calls are this far apart (default FOLLOW_UP_GAP_MS). */
  followUpGapMs: z.optional(z.number().check(z.minimum(0))),
  /** The follow-up calls wait for a `release` command: the fault is still happening. */
  holdFollowUps: z.optional(z.boolean()),
  /** heartbeat: misses before the peer is declared dead. */
  heartbeatMisses: z.optional(z.number()),
  /** idle: answer each heartbeat ping, as the lab's server does (a heartbeat's peer). */
  answerPings: z.optional(z.boolean()),
  /** Leave MSG_NOSIGNAL out of sends, so a broken pipe raises SIGPIPE (default: death). */
  sigpipe: z.optional(z.boolean()),
  /** Also report TCP_INFO changes for this connection (the tcp-info workload always does). */
  trace: z.optional(z.boolean()),
  /** "syscall": raw libc calls through koffi; "node": a node:net socket. */
  engine: z.optional(z.enum(["syscall", "node"])),
  /** The side this connection is watched from: "server" for an accepted socket. */
  side: z.optional(z.enum(["client", "server"])),
  /** Report only connects and failures, not every call that worked. */
  quiet: z.optional(z.boolean()),
});
export type ClientSpec = z.infer<typeof clientSpec>;

/** What a server agent can be told to do to its connections; each reply carries its time. */
export const SERVER_ACTIONS = [
  "close-all",
  "abort-all",
  "shutdown-all",
  "pause-reads",
  "read-heads",
  "pause-accept",
  "unlisten",
] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

/** The signals a runner may have one agent send another (remote mode's process faults). */
export const SIGNALS = ["SIGKILL", "SIGTERM", "SIGSTOP", "SIGCONT"] as const;

export const commandSchema = z.discriminatedUnion("op", [
  z.object({ id: z.number(), op: z.literal("listen"), ip: z.string(), port: z.number() }),
  z.object({
    id: z.number(),
    op: z.literal("connect"),
    specs: z.array(clientSpec),
    /** false: answer at once, without waiting for the connects (connect() is observed). */
    wait: z.optional(z.boolean()),
  }),
  /** --observer server: watch accepted sockets, found by their peer's address. */
  z.object({
    id: z.number(),
    op: z.literal("adopt"),
    specs: z.array(z.extend(clientSpec, { peer: z.string() })),
  }),
  /** brief: each reading only as far as a prediction reads it. */
  z.object({ id: z.number(), op: z.literal("snapshot"), brief: z.optional(z.boolean()) }),
  /** The fault has done all it does: connections holding their follow-up calls go on. */
  z.object({ id: z.number(), op: z.literal("release") }),
  z.object({ id: z.number(), op: z.literal("exit") }),
  z.object({
    id: z.number(),
    op: z.literal("act"),
    action: z.enum(SERVER_ACTIONS),
    /** pause-accept: the listen backlog to set (listen() again on the listening socket). */
    backlog: z.optional(z.int().check(z.minimum(0))),
  }),
  /** Remote mode: the host's kernel release, timer frequency and TCP sysctls. */
  z.object({ id: z.number(), op: z.literal("host-info") }),
  /** Remote mode: signal another agent on the same host (by the pid of its ready message). */
  z.object({ id: z.number(), op: z.literal("signal"), pid: z.number(), signal: z.enum(SIGNALS) }),
  /**
   * Remote mode: drop (or stop dropping) the test's packets on this host, both ways, with
   * nftables rules in a table of tcpdrop's own; `peers` are the clients' "ip:port" as the
   * server saw them, `ttlS` how long the rules may live at most; "check" tries the rules
   * without adding them (nft --check), to learn before a run whether nft may be used here.
   */
  z.object({
    id: z.number(),
    op: z.literal("firewall"),
    action: z.enum(["check", "drop", "lift"]),
    table: z.string().check(z.regex(/^tcpdrop_[a-z0-9_]+$/)),
    port: z.int().check(z.minimum(1), z.maximum(65535)),
    peers: z.array(z.string()),
    ttlS: z.int().check(z.minimum(1), z.maximum(3600)),
  }),
  /** In the router: follow the segments of flows whose client address starts with clientPrefix. */
  z.object({ id: z.number(), op: z.literal("track"), clientPrefix: z.string() }),
  /** In the router: send exact-sequence RSTs to both ends of every tracked flow. */
  z.object({ id: z.number(), op: z.literal("reset-flows") }),
]);
export type Command = z.infer<typeof commandSchema>;
/** A command as the runner sends it: the id is added by the transport. */
export type Request = Command extends infer C ? (C extends Command ? Omit<C, "id"> : never) : never;

const tcpInfo = z.object({
  state: z.string(),
  retransmits: z.number(),
  probes: z.number(),
  backoff: z.number(),
  rtoUs: z.number(),
  unacked: z.number(),
  lastDataSentMs: z.number(),
  lastDataRecvMs: z.number(),
  lastAckRecvMs: z.number(),
  rttUs: z.number(),
  totalRetrans: z.number(),
  t: z.optional(z.number()),
});

/**
 * What a brief snapshot keeps of a reading: what the runner's predictions read. At 10,000
 * connections the full readings of 20,000 sockets are a reply of ~4 MB, parsed twice in a row
 * around the fault, the moment of the CLI's peak memory.
 */
const briefTcpInfo = z.pick(tcpInfo, {
  rtoUs: true,
  rttUs: true,
  lastDataRecvMs: true,
  lastAckRecvMs: true,
  t: true,
});

/** The reply payload of each op (beside type, id and ok). */
export const replySchemas = {
  listen: z.object({}),
  connect: z.object({ connected: z.nullable(z.number()) }),
  adopt: z.object({}),
  snapshot: z.object({
    t: z.number(),
    // Checked (and kept) as brief readings, whether or not the agent was asked for brief
    // ones: the runner reads no other field, and checking 10,000 brief readings against the
    // full schema first would fail each one, field by field.
    info: z.record(z.string(), z.nullable(briefTcpInfo)),
  }),
  release: z.object({}),
  exit: z.object({}),
  /** t: CLOCK_MONOTONIC ms at which the action started (a fault's t=0). */
  act: z.object({ t: z.number() }),
  "host-info": z.object({
    kernel: z.string(),
    hz: z.number(),
    hzKnown: z.boolean(),
    sysctls: z.record(z.string(), z.string()),
  }),
  signal: z.object({ t: z.number() }),
  /** t: when the rules were in place (drop) or gone (lift). */
  firewall: z.object({ t: z.number() }),
  track: z.object({}),
  /** t: CLOCK_MONOTONIC ms at which the RSTs went out; flows: how many were reset. */
  "reset-flows": z.object({ t: z.number(), flows: z.number() }),
} satisfies Record<Command["op"], z.ZodMiniType>;
export type Reply<Op extends Command["op"]> = z.infer<(typeof replySchemas)[Op]>;
export type Snapshot = Reply<"snapshot">;
export type BriefTcpInfo = z.infer<typeof briefTcpInfo>;

const callEvent = z.object({
  side: z.enum(["client", "server"]),
  conn: z.string(),
  call: z.string(),
  result: z.string(),
  bytes: z.optional(z.number()),
  detail: z.optional(z.string()),
});
export type CallEvent = z.infer<typeof callEvent>;

export const messageSchema = z.discriminatedUnion("type", [
  /**
   * The agent's hello: its version (a runner refuses another version) and protocol version.
   * Optional here so that an older agent's hello still parses and is refused by name.
   */
  z.object({
    type: z.literal("ready"),
    host: z.string(),
    pid: z.number(),
    t: z.number(),
    version: z.optional(z.string()),
    protocol: z.optional(z.number()),
    /** The kernel's boot_id: the same as the runner's means the same CLOCK_MONOTONIC. */
    bootId: z.optional(z.string()),
  }),
  /** One socket call that returned, stamped with the time it returned. */
  z.extend(callEvent, { type: z.literal("event"), t: z.number() }),
  /** A watched connection finished its follow-up calls. */
  z.object({ type: z.literal("done"), conn: z.string() }),
  /** The answer to a command; its payload (replySchemas) is checked by the one who asked. */
  z.looseObject({
    type: z.literal("reply"),
    id: z.number(),
    ok: z.boolean(),
    error: z.optional(z.string()),
  }),
]);
export type AgentMessage = z.infer<typeof messageSchema>;
export type EventMessage = Extract<AgentMessage, { type: "event" }>;
