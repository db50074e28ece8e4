// What each command loads before it does anything (issue 15: `run` must start within 40 ms of
// `node -e 0`, so nothing a run does not use may load). Read from dist/, the JavaScript Node
// really loads (TypeScript drops imports used only as types): the modules and packages each
// entry point reaches through static imports; `import()` is where loading on demand happens.
import { existsSync, readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DIST = `${ROOT}/dist/`;

/** Every module (relative to dist/) and package that `entry` loads before its code runs. */
function staticGraph(entry: string): { modules: Set<string>; packages: Set<string> } {
  const clause = /(?:^|\n)\s*(?:import|export)\s+(?:[^'"]*?\sfrom\s+)?["']([^"']+)["']/g;
  const start = resolve(DIST, entry);
  const modules = new Set([start]);
  const packages = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const file = queue.shift() as string;
    for (const [, spec] of readFileSync(file, "utf8").matchAll(clause)) {
      if (!spec.startsWith(".")) {
        if (!spec.startsWith("node:")) packages.add(spec);
        continue;
      }
      const target = resolve(dirname(file), spec);
      if (!modules.has(target) && existsSync(target)) {
        modules.add(target);
        queue.push(target);
      }
    }
  }
  return { modules: new Set([...modules].map((m) => relative(DIST, m))), packages };
}

/** Not needed before a run's lab: koffi is (the lab's namespaces are made with it). */
const HEAVY = ["zod", "yaml", "chalk", "cli-table3"];

describe("what loads before a command runs (dist/)", () => {
  it("the graph reader sees imports: a user's scenario file is read with yaml and zod", () => {
    const { modules, packages } = staticGraph("scenario/parse.js");
    expect(packages).toContain("yaml");
    expect(packages).toContain("zod");
    expect(modules.has("scenario/schema.js")).toBe(true);
  });

  it("the CLI's entry loads commander and the command definitions only", () => {
    const { modules, packages } = staticGraph("cli.js");
    expect([...packages]).toEqual(["commander"]);
    expect([...modules].filter((m) => m.startsWith("commands/"))).toEqual([]);
    expect(modules.has("actions.js")).toBe(false);
  });

  it("actions load each command's code only when that command runs", () => {
    const { modules } = staticGraph("actions.js");
    for (const command of ["run", "compare", "explain", "doctor", "list", "schema"]) {
      expect(modules.has(`commands/${command}.js`)).toBe(false);
    }
  });

  it("run and compare load neither zod, yaml, chalk nor cli-table3 up front", () => {
    for (const entry of ["commands/run.js", "commands/compare.js"]) {
      const { modules, packages } = staticGraph(entry);
      for (const name of HEAVY) expect(packages.has(name), `${entry} -> ${name}`).toBe(false);
      // the YAML reader, remote mode, traced programs and the runner load on demand
      for (const lazy of [
        "scenario/parse.js",
        "runner/stage.js",
        "runner/program-run.js",
        "runner/run-scenario.js",
      ]) {
        expect(modules.has(lazy), `${entry} -> ${lazy}`).toBe(false);
      }
    }
  });

  it("list reads the compiled catalogue: no YAML parser, no schema", () => {
    const { modules, packages } = staticGraph("commands/list.js");
    expect([...packages]).toEqual([]);
    expect(modules.has("scenario/parse.js")).toBe(false);
  });
});
