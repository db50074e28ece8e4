// docs/protocol.md stays in step with src/protocol.ts: every op the agent takes, every message
// it writes, every server action and every signal is described there.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FOLLOW_UP_GAP_MS } from "../../src/defaults.js";
import {
  commandSchema,
  messageSchema,
  SERVER_ACTIONS,
  SIGNALS,
  WORKLOADS,
} from "../../src/protocol.js";

const doc = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");

describe("docs/protocol.md", () => {
  it("describes every op, message, action, signal and workload", () => {
    // zod/mini: a union's members, a literal's value and an array's element are in `def`
    const ops = commandSchema.def.options.map((o) => o.shape.op.def.values[0]);
    const types = messageSchema.def.options.map((o) => o.shape.type.def.values[0]);
    expect(ops.length).toBeGreaterThan(8);
    for (const name of [...ops, ...types]) expect(doc).toContain(`| \`${name}\` |`);
    for (const name of [...SERVER_ACTIONS, ...SIGNALS, ...WORKLOADS])
      expect(doc).toContain(`\`${name}\``);
  });

  it("describes every field of a connection's spec, and the follow-up gap's default", () => {
    const connect = commandSchema.def.options.find((o) => o.shape.op.def.values[0] === "connect");
    const specs = connect && "specs" in connect.shape ? connect.shape.specs : undefined;
    const fields = Object.keys(specs?.def.element.shape ?? {});
    expect(fields).toContain("followUpGapMs");
    for (const name of fields) expect(doc).toContain(`\`${name}\``);
    expect(doc).toContain(`absent: ${FOLLOW_UP_GAP_MS})`);
  });
});
