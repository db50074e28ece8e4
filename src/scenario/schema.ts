// What a scenario file may say, checked with zod so that a bad file is answered with the path
// of the bad field. A scenario is data: the runtime in src/runner executes it. Written with
// zod/mini, as every schema of tcpdrop's is (see src/protocol.ts); its messages are zod's English
// ones, which a user reads when a file is wrong.
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import { FAULT_NAMES } from "../faults/index.js";
import { WORKLOADS } from "../protocol.js";

z.config(en());

const condition = z.strictObject({
  keepalive: z.optional(z.boolean()),
  userTimeout: z.optional(z.boolean()),
  ignoreSigterm: z.optional(z.boolean()),
  recverr: z.optional(z.boolean()),
  ipv6: z.optional(z.boolean()),
  loose: z.optional(z.boolean()),
});

const expectation = z.union([
  z.string().check(z.minLength(1)),
  z.strictObject({ expect: z.string().check(z.minLength(1)), when: condition }),
]);

export const scenarioSchema = z.strictObject({
  summary: z.string().check(z.minLength(1)),
  wire: z.string().check(z.minLength(1)),
  fault: z.enum(FAULT_NAMES),
  aliases: z._default(z.array(z.string().check(z.regex(/^[a-z0-9-]+$/))), []),
  rebootAfterMs: z._default(z.int().check(z.minimum(0), z.maximum(60000)), 1000),
  workloads: z._default(z.array(z.enum(WORKLOADS)).check(z.minLength(1)), ["idle", "writer"]),
  /** Whose sockets are watched; --observer overrides it where the fault allows. */
  observer: z._default(z.enum(["client", "server"]), "client"),
  /** Inject the fault first, then connect: the scenario is about connect() itself. */
  connectAfterFault: z._default(z.boolean(), false),
  /** Workloads that also report TCP_INFO changes (to show retransmissions). */
  trace: z._default(z.array(z.string()), []),
  expect: z._default(z.array(expectation), []),
});

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export type Condition = z.infer<typeof condition>;
