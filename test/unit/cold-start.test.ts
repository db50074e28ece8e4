// What each command loads before it does anything (issue 15: `run` must start within 40 ms of
// `node -e 0`, so nothing a run does not use may load). Read from dist/, the JavaScript Node
// really loads (TypeScript drops imports used only as types): the modules and packages each
// entry point reaches through static imports; `import()` is where loading on demand happens.
// The shipped bundle keeps those boundaries: what a command line really initialises is read
// from V8's coverage of a real run of the CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { cachePath } from "../../src/launch.js";

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
        // a package by its name: "zod/mini" is zod
        if (!spec.startsWith("node:")) packages.add(spec.split("/")[0]);
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

  it("a run without user programs or agent processes loads neither up front", () => {
    const { modules } = staticGraph("runner/run-scenario.js");
    for (const lazy of [
      "runner/program-run.js",
      "program/strace-parse.js",
      "transport/spawned.js",
      "transport/checked-lines.js",
      "program/read-sockets.js", // ss -K, for the faults that destroy sockets from outside
    ])
      expect(modules.has(lazy), lazy).toBe(false);
  });

  it("list reads the compiled catalogue: no YAML parser, no schema", () => {
    const { modules, packages } = staticGraph("commands/list.js");
    expect([...packages]).toEqual([]);
    expect(modules.has("scenario/parse.js")).toBe(false);
  });
});

/** esbuild's account of the bundle (scripts/bundle.mjs): each output's inputs and imports. */
interface Metafile {
  outputs: Record<
    string,
    {
      inputs: Record<string, unknown>;
      imports: { path: string; kind: string; external?: boolean }[];
    }
  >;
}

/**
 * The bundle's modules that one command line initialises, from V8's own coverage of the
 * process: esbuild wraps each module that loads on demand in a function named after its path
 * (`"src/commands/run.ts"() {...}`), which runs when the module is first used.
 */
function initialised(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), "tcpdrop-coverage-"));
  try {
    const run = spawnSync(process.execPath, [`${ROOT}/bin/tcpdrop.js`, ...args], {
      env: { ...process.env, NODE_V8_COVERAGE: dir },
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const scripts = readdirSync(dir).flatMap(
      (f) => (JSON.parse(readFileSync(join(dir, f), "utf8")) as Coverage).result,
    );
    const bundle = scripts.find((s) => s.url.endsWith("/dist/bundle/cli.cjs"));
    expect(bundle, "the bundle's coverage").toBeDefined();
    return (bundle as Coverage["result"][number]).functions
      .filter((f) => /^(src|node_modules)\//.test(f.functionName) && f.ranges[0].count > 0)
      .map((f) => f.functionName);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Coverage {
  result: {
    url: string;
    functions: { functionName: string; ranges: { count: number }[] }[];
  }[];
}

describe("what the shipped CLI loads (dist/bundle/, esbuild)", () => {
  const meta = JSON.parse(readFileSync(`${DIST}bundle/meta.json`, "utf8")) as Metafile;
  const CLI = "dist/bundle/cli.cjs";
  const bundle = readFileSync(`${ROOT}/${CLI}`, "latin1");

  it("bin/tcpdrop.js starts the bundle through the code cache", () => {
    const bin = readFileSync(`${ROOT}/bin/tcpdrop.js`, "utf8");
    expect(bin).toContain('require("../dist/bundle/launch.cjs")');
    expect(bin).toContain('"dist", "bundle", "cli.cjs"');
    // a CommonJS entry: Node starts it without its ES module loader
    expect(JSON.parse(readFileSync(`${ROOT}/bin/package.json`, "utf8")).type).toBe("commonjs");
  });

  it("the bundle is one ASCII file with no import(), as src/launch.ts compiles it", () => {
    expect(Object.keys(meta.outputs).filter((o) => o.startsWith("dist/bundle/chunks/"))).toEqual(
      [],
    );
    expect(/[\u0080-\uffff]/.test(bundle)).toBe(false); // read as latin1: no decoding
    expect(bundle).not.toMatch(/\bimport\(/); // a vm.Script has no module loader behind it
    expect(bundle.startsWith('"use strict";')).toBe(true); // strict, as the ES modules were
  });

  it("--help initialises commander and the command line's shape, not the commands' work", () => {
    const modules = initialised(["--help"]);
    expect(modules).toContain("node_modules/commander/index.js");
    expect(modules).toContain("src/reporters/registry.ts");
    for (const name of HEAVY)
      expect(
        modules.filter((m) => m.startsWith(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
    for (const lazy of ["src/actions.ts", "src/commands/run.ts", "src/runner/run-scenario.ts"])
      expect(modules, lazy).not.toContain(lazy);
  });

  it("list initialises the catalogue's reader: no YAML parser, no schema", () => {
    const modules = initialised(["list"]);
    expect(modules).toContain("src/commands/list.ts");
    for (const name of ["yaml", "zod"])
      expect(
        modules.filter((m) => m.startsWith(`node_modules/${name}/`)),
        name,
      ).toEqual([]);
    expect(modules).not.toContain("src/runner/run-scenario.ts");
  });

  it("no module imports node:process as an ES module, and commander's child_process is lazy", () => {
    for (const [file, output] of Object.entries(meta.outputs)) {
      const esProcess = output.imports.filter(
        (i) => /^(node:)?process$/.test(i.path) && i.kind === "import-statement",
      );
      expect(esProcess, file).toEqual([]); // its namespace costs ~10 ms of getters
    }
    expect(Object.keys(meta.outputs[CLI].inputs)).toContain("tcpdrop-shim:lazy-child-process");
  });

  it("nothing imports node:crypto", () => {
    // the catalogue's freshness check was its only user (scenario/catalogue.ts: contentHash)
    for (const [file, output] of Object.entries(meta.outputs))
      expect(
        output.imports.map((i) => i.path),
        file,
      ).not.toContain("node:crypto");
  });

  it("the agent is one file of its own, launched with the code cache from the path spawned", () => {
    const agent = meta.outputs["dist/bundle/agent/agent.cjs"];
    expect(agent.imports.filter((i) => !i.external)).toEqual([]);
    // the protocol's zod/mini schemas, not full zod (its classic API and every locale)
    const inputs = Object.keys(agent.inputs);
    expect(inputs).toContain("src/protocol.ts");
    expect(inputs.filter((i) => /zod\/v4\/(classic|locales)\//.test(i))).toEqual([]);
    expect(
      inputs.filter((i) => /node_modules\/(yaml|chalk|cli-table3|commander)\//.test(i)),
    ).toEqual([]);
    const agentBundle = readFileSync(`${ROOT}/dist/bundle/agent/agent.cjs`, "latin1");
    expect(/[\u0080-\uffff]/.test(agentBundle)).toBe(false);
    expect(agentBundle).not.toMatch(/\bimport\(/);
    expect(readFileSync(`${ROOT}/dist/bundle/agent/main.cjs`, "utf8")).toContain(
      'launch(join(__dirname, "agent.cjs"), "agent")',
    );
    expect(readFileSync(`${ROOT}/src/transport/index.ts`, "utf8")).toContain(
      'fromRoot("dist", "bundle", "agent", "main.cjs")',
    );
    // lab agents die by SIGKILL, before an exit could write it: the build started one once
    expect(existsSync(cachePath(`${ROOT}/dist/bundle/agent/agent.cjs`, "agent"))).toBe(true);
  });
});
