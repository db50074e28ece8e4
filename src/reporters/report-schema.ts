// The JSON report's contract (README, "JSON report (schema version 1)") as a zod schema, from
// which `tcpdrop schema report` and schemas/report.schema.json are generated. Objects accept
// fields not listed here: new fields may be added to schema version 1, none removed or retyped.
import { z } from "zod";
import { DETECT_METHODS } from "../types.js";

const side = z.enum(["client", "server"]);
const ms = z.number().describe("milliseconds");
const msAfterFault = z.number().describe("milliseconds after the fault (negative before it)");

const event = z.looseObject({
  tMs: msAfterFault,
  side,
  conn: z.string().describe('connection id ("idle", "writer", a method, "listener", ...)'),
  call: z.string(),
  result: z.string().describe('"OK", "EOF", an errno name, or a method\'s verdict'),
  bytes: z.number().int().min(0).optional(),
  detail: z.string().optional(),
});

const prediction = z.looseObject({
  call: z.string().nullable(),
  result: z.string().nullable().describe("null: the kernel never notices"),
  afterMs: msAfterFault.nullable(),
  basis: z.string(),
  uncertain: z
    .string()
    .optional()
    .describe("why the time may not hold: an input the model leaves out"),
  hint: z.string().optional().describe("the model's own advice, shown even after a failure"),
});

const firstFailure = z.looseObject({ call: z.string(), result: z.string(), afterMs: msAfterFault });

const connection = z.looseObject({
  id: z.string(),
  side,
  workload: z.string(),
  firstFailure: firstFailure.nullable().describe("null: nothing failed within the window"),
  predicted: prediction.nullable(),
  hint: z.string().nullable().optional(),
  events: z.array(event),
  options: z
    .string()
    .optional()
    .describe("a traced program's connection: the socket options it set (--client-cmd)"),
  blocked: z
    .array(
      z.looseObject({
        call: z.string(),
        sinceMs: msAfterFault,
        endedMs: msAfterFault.nullable().describe("null: still blocked when the run ended"),
        text: z.string(),
      }),
    )
    .optional()
    .describe("a traced program's calls that had not returned"),
});

const program = z
  .looseObject({
    command: z.string(),
    exit: z
      .looseObject({
        code: z.number().int().nullable(),
        signal: z.string().nullable(),
        afterMs: msAfterFault,
      })
      .nullable()
      .describe("null: still running when the run ended (tcpdrop killed it)"),
    stdoutTail: z.array(z.string()),
    stderrTail: z.array(z.string()),
  })
  .describe("a traced program of the user's (--client-cmd, --server-cmd)");

const distribution = z.looseObject({
  group: z.string(),
  count: z.number().int().min(0),
  detected: z.number().int().min(0),
  outcome: z.string(),
  minMs: ms.nullable(),
  medianMs: ms.nullable(),
  p99Ms: ms.nullable(),
  maxMs: ms.nullable(),
  predicted: prediction.nullable(),
  p99ErrorMs: ms.nullable().describe("99th percentile of |measured - predicted|"),
  errorTailsMs: z
    .looseObject({ early: z.number().nullable(), late: z.number().nullable() })
    .nullable()
    .optional()
    .describe("1st and 99th percentiles of measured - predicted (early is negative)"),
  connectSpreadMs: ms.nullable(),
  histogram: z.array(z.looseObject({ fromMs: ms, toMs: ms, count: z.number().int().min(0) })),
});

const settings = z.looseObject({
  engine: z.enum(["syscall", "node"]),
  keepalive: z
    .looseObject({ idle: z.number(), interval: z.number(), count: z.number() })
    .nullable(),
  userTimeoutMs: z.number().nullable(),
  retries2: z.number().int().nullable(),
  windowS: z.number(),
  ignoreSigterm: z.boolean(),
  graceMs: z.number(),
  detect: z.array(z.enum(DETECT_METHODS)).optional(),
  heartbeat: z.looseObject({ intervalMs: z.number(), misses: z.number() }).optional(),
  recverr: z.boolean().optional(),
  sigpipe: z.boolean().optional(),
  ipv6: z.boolean().optional(),
  synRetries: z.number().int().nullable().optional(),
  icmpRatelimitMs: z
    .number()
    .int()
    .min(0)
    .nullable()
    .optional()
    .describe("--icmp-ratelimit: the router's ICMP limit per host in ms (0 = off, null = stock)"),
  durationMs: z.number().optional(),
  observer: side.optional(),
  connections: z.number().int().min(1).optional(),
  events: z.enum(["all", "summary"]).optional(),
  idleTimeoutS: z.number().int().min(1).optional().describe("middleboxes: --idle-timeout"),
  requestAfterMs: z.number().min(0).optional().describe("pooled: --request-after, in ms"),
  loose: z.boolean().optional().describe("conntrack-flush: nf_conntrack_tcp_loose (--loose)"),
  packets: z.enum(["on", "off"]).optional().describe("--packets: off skips the capture"),
  programs: z
    .looseObject({
      client: z.string().nullable(),
      server: z.string().nullable(),
      faultAfterMs: ms,
    })
    .optional(),
  sysctls: z.record(z.string(), z.string()).describe("the client namespace's TCP sysctls"),
  routerSysctls: z
    .record(z.string(), z.string())
    .optional()
    .describe("the router's ICMP rate limit sysctl as read after setup"),
});

const packet = z.looseObject({
  tMs: msAfterFault,
  src: z.string().describe('"198.51.100.2:51984", or a bare address for ICMP'),
  dst: z.string(),
  from: z.enum(["client", "server", "router"]).optional(),
  flags: z.array(z.string()).describe('TCP flags, ["ACK", "PSH"]; empty for ICMP'),
  seq: z.number().int().optional().describe("relative to the sender's ISN (ISN + 1 = 1)"),
  ack: z.number().int().optional(),
  len: z.number().int().min(0).describe("payload bytes"),
  kind: z.string().describe('"keepalive-probe", "retransmission", "rst", "icmp-unreachable", ...'),
  label: z.string().describe('"keepalive probe", "retransmission #2", ...'),
  conn: z.string().optional().describe("the watched connection it belongs to"),
});

const capture = z.looseObject({
  status: z.enum(["captured", "off", "unavailable"]),
  note: z.string().optional().describe("why the packets were not captured"),
  count: z.number().int().min(0).optional(),
  byKind: z.record(z.string(), z.number().int().min(0)).optional(),
  droppedByKernel: z.number().int().min(0).nullable().optional(),
  routerReceived: z
    .number()
    .int()
    .optional()
    .describe("IP packets the router's kernel received meanwhile"),
  routerSent: z.number().int().optional(),
  capturedReceived: z.number().int().min(0).optional(),
  capturedSent: z.number().int().min(0).optional(),
});

const verdict = z.looseObject({ expectation: z.string(), pass: z.boolean(), message: z.string() });

const run = z.looseObject({
  scenario: z.string(),
  label: z.string().optional().describe("compare: the settings of this run"),
  repetition: z.number().int().min(1).optional().describe("--repeat: counts from 1"),
  engine: z.enum(["syscall", "node"]),
  summary: z.string(),
  settings,
  connections: z.array(connection),
  distributions: z.array(distribution).optional().describe("only with --connections N > 1"),
  steps: z.array(z.looseObject({ tMs: msAfterFault, what: z.string() })),
  verdicts: z.array(verdict),
  expectations: z
    .looseObject({
      checked: z.number().int().min(0).describe("0: nothing was checked"),
      skipped: z.array(z.looseObject({ expectation: z.string(), reason: z.string() })),
    })
    .optional(),
  passed: z.boolean(),
  durationMs: ms,
  packets: z
    .array(packet)
    .optional()
    .describe("every packet the lab's router saw; with --connections N only with --events all"),
  capture: capture.optional(),
  program: program.optional().describe("--client-cmd"),
  serverProgram: program.optional().describe("--server-cmd"),
});

export const reportSchema = z
  .looseObject({
    schemaVersion: z.literal(1),
    tool: z.looseObject({ name: z.literal("tcpdrop"), version: z.string() }),
    kernel: z.string(),
    runs: z.array(run),
  })
  .describe("tcpdrop's JSON report (tcpdrop run/compare --json), schema version 1");
