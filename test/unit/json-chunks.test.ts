// The JSON reporter writes stdout a piece at a time (src/reporters/json-chunks.ts): the pieces
// joined must be exactly JSON.stringify(value, null, 2), whatever the value holds.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renderJson, renderJsonChunks } from "../../src/reporters/json.js";
import { batched, jsonChunks } from "../../src/reporters/json-chunks.js";
import type { Report } from "../../src/types.js";

const joined = (value: unknown, depth?: number) => [...jsonChunks(value, depth)].join("");

const awkward = {
  empty: {},
  none: [],
  skipped: undefined,
  fn: () => 1,
  nested: { a: [1, undefined, () => 2, null, Number.NaN, -0, 1e21], b: { c: { d: { e: [{}] } } } },
  text: 'a "quoted"\nline\tand \u2028 and \u{1F600}',
  date: new Date(0),
  withToJson: { toJSON: () => ({ replaced: true }) },
  dropped: { toJSON: () => undefined },
  nullProto: Object.assign(Object.create(null), { x: 1 }),
  list: Array.from({ length: 5 }, (_, i) => ({ id: `c-${i}`, events: [], at: i / 3 })),
};

describe("JSON in pieces", () => {
  it("is JSON.stringify(value, null, 2) for awkward values, at every depth", () => {
    for (const depth of [0, 1, 2, 3, 4, 8])
      expect(joined(awkward, depth)).toBe(JSON.stringify(awkward, null, 2));
    for (const value of [null, 1, "s", [], {}, [[[]]], [{}, { a: [] }], true])
      expect(joined(value)).toBe(JSON.stringify(value, null, 2));
  });

  it("leaves out what JSON.stringify leaves out at the top", () => {
    expect([...jsonChunks(undefined)]).toEqual([]);
  });

  it("writes a report's connections one by one, and joins to renderJson's text", () => {
    const connections = Array.from({ length: 3000 }, (_, i) => ({
      id: `idle-${i + 1}`,
      side: "client",
      firstFailure: { call: "recv", result: "ETIMEDOUT", afterMs: 2372.5 },
      events: [],
    }));
    const report = {
      schemaVersion: 1,
      runs: [{ scenario: "host-crash", connections, capture: { byKind: { syn: 1 } } }],
    } as unknown as Report;
    const pieces = [...renderJsonChunks(report)];
    expect(pieces.join("")).toBe(renderJson(report));
    expect(pieces.length).toBeGreaterThan(3);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(70 * 1024);
  });

  it("batches pieces into about the size asked for", () => {
    const out = [...batched(["ab", "cd", "e", "fgh"], 3)];
    expect(out).toEqual(["abcd", "efgh"]);
    expect([...batched([], 3)]).toEqual([]);
  });

  it("is renderJson's text for a real report's shape", () => {
    const fixture = JSON.parse(
      readFileSync(new URL("../fixtures/call-sequences.json", import.meta.url), "utf8"),
    );
    expect(joined(fixture)).toBe(JSON.stringify(fixture, null, 2));
  });
});
