// What a scenario file may say, checked with zod so that a bad file is answered with the path
// of the bad field. A scenario is data: the runtime in src/runner executes it.
import { z } from "zod";
import { FAULT_NAMES } from "../faults/index.js";
import { WORKLOADS } from "../protocol.js";

const condition = z
  .object({
    keepalive: z.boolean().optional(),
    userTimeout: z.boolean().optional(),
    ignoreSigterm: z.boolean().optional(),
    recverr: z.boolean().optional(),
    ipv6: z.boolean().optional(),
    loose: z.boolean().optional(),
  })
  .strict();

const expectation = z.union([
  z.string().min(1),
  z.object({ expect: z.string().min(1), when: condition }).strict(),
]);

export const scenarioSchema = z
  .object({
    summary: z.string().min(1),
    wire: z.string().min(1),
    fault: z.enum(FAULT_NAMES),
    aliases: z.array(z.string().regex(/^[a-z0-9-]+$/)).default([]),
    rebootAfterMs: z.number().int().min(0).max(60000).default(1000),
    workloads: z.array(z.enum(WORKLOADS)).min(1).default(["idle", "writer"]),
    /** Whose sockets are watched; --observer overrides it where the fault allows. */
    observer: z.enum(["client", "server"]).default("client"),
    /** Inject the fault first, then connect: the scenario is about connect() itself. */
    connectAfterFault: z.boolean().default(false),
    /** Workloads that also report TCP_INFO changes (to show retransmissions). */
    trace: z.array(z.string()).default([]),
    expect: z.array(expectation).default([]),
  })
  .strict();

export type ScenarioFile = z.infer<typeof scenarioSchema>;
export type Condition = z.infer<typeof condition>;
