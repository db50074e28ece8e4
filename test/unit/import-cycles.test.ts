// src/ has no import cycle, counting `import type` and `export ... from` too: a cycle makes
// module order matter and loads code that a caller never needed (RULES: no import cycles).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith(".ts")
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every relative module a file names in an import or export clause, type-only ones included. */
function importsOf(file: string, text: string): string[] {
  const found = text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/g);
  return [...found].map((m) => resolve(dirname(file), m[1].replace(/\.js$/, ".ts")));
}

/** The first cycle in the graph, as a list of files, or null. */
function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === "done") return null;
    if (state.get(node) === "open") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

describe("imports in src/", () => {
  it("finds a cycle when there is one (the checker itself works)", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
    ]);
    expect(findCycle(graph)).toEqual(["a", "b", "c", "a"]);
    expect(
      importsOf("/x/a.ts", 'import type { T } from "./b.js";\nexport { u } from "../c.js";'),
    ).toEqual(["/x/b.ts", "/c.ts"]);
  });

  it("has no cycle, counting type imports", () => {
    const graph = new Map(sources(SRC).map((f) => [f, importsOf(f, readFileSync(f, "utf8"))]));
    const cycle = findCycle(graph);
    expect(cycle?.map((f) => relative(SRC, f)).join(" -> ") ?? null).toBeNull();
  });

  it("has no source file over 300 lines", () => {
    const long = sources(SRC)
      .map((f) => ({ f: relative(SRC, f), lines: readFileSync(f, "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
  });
});
