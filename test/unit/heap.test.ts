// src/heap.ts sets V8 flags after the CLI has started: this checks, in a fresh Node, that they
// still act then (a Node whose V8 read them only at start would silently undo the CLI's
// memory target), against the same Node without them.
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { SCALE_HEAP_FLAGS } from "../../src/heap.js";

const SCRIPT = `
const v8 = require("node:v8");
const young = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space").space_size;
for (const flag of JSON.parse(process.argv[1])) v8.setFlagsFromString(flag);
const before = young();
let keep = [];
for (let i = 0; i < 3e6; i++) {
  keep.push({ i });
  if (keep.length > 2e5) keep = [];
}
console.log(JSON.stringify({ before, after: young() }));
`;

function youngGeneration(flags: string[]): { before: number; after: number } {
  const out = execFileSync(process.execPath, ["-e", SCRIPT, JSON.stringify(flags)], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

describe("the heap flags of a run at scale", () => {
  it("keep the young generation about the size it had when they were set", () => {
    // (V8 may still commit the second half of a fresh 1 MiB young generation: 2 MiB)
    const tuned = youngGeneration(SCALE_HEAP_FLAGS);
    expect(tuned.after).toBeLessThanOrEqual(2 * tuned.before);
    // the same allocations without them grow it to 16 MiB or more
    const plain = youngGeneration([]);
    expect(plain.after).toBeGreaterThanOrEqual(8 * plain.before);
  });
});
