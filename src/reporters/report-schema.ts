// The JSON report's contract (README, "JSON report (schema version 1)") as a zod schema, from
// which `tcpdrop schema report` and schemas/report.schema.json are generated. Objects accept
// fields not listed here: new fields may be added to schema version 1, none removed or retyped.
import * as z from "zod/mini";
import { DETECT_METHODS } from "../types.js";

const side = z.enum(["client", "server"]);
const ms = z.number().check(z.describe("milliseconds"));
const msAfterFault = z
  .number()
  .check(z.describe("milliseconds after the fault (negative before it)"));

const event = z.looseObject({
  tMs: msAfterFault,
  side,
  conn: z.string().check(z.describe('connection id ("idle", "writer", a method, "listener", ...)')),
  call: z.string(),
  result: z.string().check(z.describe('"OK", "EOF", an errno name, or a method\'s verdict')),
  bytes: z.optional(z.int().check(z.minimum(0))),
  detail: z.optional(z.string()),
});

const prediction = z.looseObject({
  call: z.nullable(z.string()),
  result: z.nullable(z.string()).check(z.describe("null: the kernel never notices")),
  afterMs: z.nullable(msAfterFault),
  basis: z.string(),
  uncertain: z
    .optional(z.string())
    .check(z.describe("why the time may not hold: an input the model leaves out")),
  hint: z
    .optional(z.string())
    .check(z.describe("the model's own advice, shown even after a failure")),
});

const firstFailure = z.looseObject({ call: z.string(), result: z.string(), afterMs: msAfterFault });

const connection = z.looseObject({
  id: z.string(),
  side,
  workload: z.string(),
  firstFailure: z
    .nullable(firstFailure)
    .check(z.describe("null: nothing failed within the window")),
  predicted: z.nullable(prediction),
  hint: z.optional(z.nullable(z.string())),
  events: z.array(event),
  options: z
    .optional(z.string())
    .check(z.describe("a traced program's connection: the socket options it set (--client-cmd)")),
  blocked: z
    .optional(
      z.array(
        z.looseObject({
          call: z.string(),
          sinceMs: msAfterFault,
          endedMs: z
            .nullable(msAfterFault)
            .check(z.describe("null: still blocked when the run ended")),
          text: z.string(),
        }),
      ),
    )
    .check(z.describe("a traced program's calls that had not returned")),
});

const program = z
  .looseObject({
    command: z.string(),
    exit: z
      .nullable(
        z.looseObject({
          code: z.nullable(z.int()),
          signal: z.nullable(z.string()),
          afterMs: msAfterFault,
        }),
      )
      .check(z.describe("null: still running when the run ended (tcpdrop killed it)")),
    stdoutTail: z.array(z.string()),
    stderrTail: z.array(z.string()),
  })
  .check(z.describe("a traced program of the user's (--client-cmd, --server-cmd)"));

const distribution = z.looseObject({
  group: z.string(),
  count: z.int().check(z.minimum(0)),
  detected: z.int().check(z.minimum(0)),
  outcome: z.string(),
  minMs: z.nullable(ms),
  medianMs: z.nullable(ms),
  p99Ms: z.nullable(ms),
  maxMs: z.nullable(ms),
  predicted: z.nullable(prediction),
  p99ErrorMs: z.nullable(ms).check(z.describe("99th percentile of |measured - predicted|")),
  errorTailsMs: z
    .optional(
      z.nullable(z.looseObject({ early: z.nullable(z.number()), late: z.nullable(z.number()) })),
    )
    .check(z.describe("1st and 99th percentiles of measured - predicted (early is negative)")),
  connectSpreadMs: z.nullable(ms),
  histogram: z.array(z.looseObject({ fromMs: ms, toMs: ms, count: z.int().check(z.minimum(0)) })),
});

const settings = z.looseObject({
  engine: z.enum(["syscall", "node"]),
  keepalive: z.nullable(
    z.looseObject({ idle: z.number(), interval: z.number(), count: z.number() }),
  ),
  userTimeoutMs: z.nullable(z.number()),
  retries2: z.nullable(z.int()),
  windowS: z.number(),
  ignoreSigterm: z.boolean(),
  graceMs: z.number(),
  detect: z.optional(z.array(z.enum(DETECT_METHODS))),
  heartbeat: z.optional(z.looseObject({ intervalMs: z.number(), misses: z.number() })),
  recverr: z.optional(z.boolean()),
  sigpipe: z.optional(z.boolean()),
  ipv6: z.optional(z.boolean()),
  synRetries: z.optional(z.nullable(z.int())),
  icmpRatelimitMs: z
    .optional(z.nullable(z.int().check(z.minimum(0))))
    .check(
      z.describe(
        "--icmp-ratelimit: the router's ICMP limit per host in ms (0 = off, null = stock)",
      ),
    ),
  durationMs: z.optional(z.number()),
  observer: z.optional(side),
  connections: z.optional(z.int().check(z.minimum(1))),
  events: z.optional(z.enum(["all", "summary"])),
  idleTimeoutS: z
    .optional(z.int().check(z.minimum(1)))
    .check(z.describe("middleboxes: --idle-timeout")),
  requestAfterMs: z
    .optional(z.number().check(z.minimum(0)))
    .check(z.describe("pooled: --request-after, in ms")),
  loose: z
    .optional(z.boolean())
    .check(z.describe("conntrack-flush: nf_conntrack_tcp_loose (--loose)")),
  packets: z.optional(z.enum(["on", "off"])).check(z.describe("--packets: off skips the capture")),
  programs: z.optional(
    z.looseObject({
      client: z.nullable(z.string()),
      server: z.nullable(z.string()),
      faultAfterMs: ms,
    }),
  ),
  sysctls: z.record(z.string(), z.string()).check(z.describe("the client namespace's TCP sysctls")),
  routerSysctls: z
    .optional(z.record(z.string(), z.string()))
    .check(z.describe("the router's ICMP rate limit sysctl as read after setup")),
});

const packet = z.looseObject({
  tMs: msAfterFault,
  src: z.string().check(z.describe('"198.51.100.2:51984", or a bare address for ICMP')),
  dst: z.string(),
  from: z.optional(z.enum(["client", "server", "router"])),
  flags: z.array(z.string()).check(z.describe('TCP flags, ["ACK", "PSH"]; empty for ICMP')),
  seq: z.optional(z.int()).check(z.describe("relative to the sender's ISN (ISN + 1 = 1)")),
  ack: z.optional(z.int()),
  len: z.int().check(z.minimum(0)).check(z.describe("payload bytes")),
  kind: z
    .string()
    .check(z.describe('"keepalive-probe", "retransmission", "rst", "icmp-unreachable", ...')),
  label: z.string().check(z.describe('"keepalive probe", "retransmission #2", ...')),
  conn: z.optional(z.string()).check(z.describe("the watched connection it belongs to")),
});

const capture = z.looseObject({
  status: z.enum(["captured", "off", "unavailable"]),
  note: z.optional(z.string()).check(z.describe("why the packets were not captured")),
  count: z.optional(z.int().check(z.minimum(0))),
  byKind: z.optional(z.record(z.string(), z.int().check(z.minimum(0)))),
  droppedByKernel: z.optional(z.nullable(z.int().check(z.minimum(0)))),
  routerReceived: z
    .optional(z.int())
    .check(z.describe("IP packets the router's kernel received meanwhile")),
  routerSent: z.optional(z.int()),
  capturedReceived: z.optional(z.int().check(z.minimum(0))),
  capturedSent: z.optional(z.int().check(z.minimum(0))),
});

const verdict = z.looseObject({ expectation: z.string(), pass: z.boolean(), message: z.string() });

const run = z.looseObject({
  scenario: z.string(),
  label: z.optional(z.string()).check(z.describe("compare: the settings of this run")),
  repetition: z.optional(z.int().check(z.minimum(1))).check(z.describe("--repeat: counts from 1")),
  engine: z.enum(["syscall", "node"]),
  summary: z.string(),
  settings,
  connections: z.array(connection),
  distributions: z
    .optional(z.array(distribution))
    .check(z.describe("only with --connections N > 1")),
  steps: z.array(z.looseObject({ tMs: msAfterFault, what: z.string() })),
  verdicts: z.array(verdict),
  expectations: z.optional(
    z.looseObject({
      checked: z.int().check(z.minimum(0)).check(z.describe("0: nothing was checked")),
      skipped: z.array(z.looseObject({ expectation: z.string(), reason: z.string() })),
    }),
  ),
  passed: z.boolean(),
  durationMs: ms,
  packets: z
    .optional(z.array(packet))
    .check(
      z.describe("every packet the lab's router saw; with --connections N only with --events all"),
    ),
  capture: z.optional(capture),
  program: z.optional(program).check(z.describe("--client-cmd")),
  serverProgram: z.optional(program).check(z.describe("--server-cmd")),
});

export const reportSchema = z
  .looseObject({
    schemaVersion: z.literal(1),
    tool: z.looseObject({ name: z.literal("tcpdrop"), version: z.string() }),
    kernel: z.string(),
    runs: z.array(run),
  })
  .check(z.describe("tcpdrop's JSON report (tcpdrop run/compare --json), schema version 1"));
