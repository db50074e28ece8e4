// The CLI as it ships: esbuild bundles src/cli.ts into dist/bundle/, split at every dynamic
// import, so that a command loads one file for its shape and one chunk per piece of work it
// really does, instead of the few hundred modules tsc emits
// (each a file to find, read and link: most of `run`'s cold start). tsc still type-checks and
// writes dist/ (the catalogue compiler and the tests' helpers use it). The agent that the
// subprocess transport spawns is a second bundle, dist/bundle/agent/main.js, in one file.
// dist/bundle/meta.json is esbuild's account of which sources went into which file.
//
// koffi stays outside: it is a native addon that finds its .node file next to its own code.
// Bundled CommonJS packages (commander, cli-table3) call require() for Node's built-ins, which
// an ES module does not have; the banner gives each chunk one. commander requires
// node:child_process at load for its executable subcommands, which tcpdrop has none of: its
// copy is loaded on first use instead (child_process brings net, dgram and their internals,
// ~7 ms when nothing else has loaded them). chalk's `import process from "node:process"` is
// the global process object: an ES import of node:process builds a namespace of every
// property of process, and their getters take ~10 ms (allowedNodeEnvironmentFlags, report...).
import { rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const OUT = new URL("../dist/bundle/", import.meta.url).pathname;

/** commander's require("node:child_process") gets an object that loads it when first used. */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /node_modules[\\/]commander[\\/]/.test(args.importer)
        ? { path: "lazy-child-process", namespace: "tcpdrop-shim" }
        : undefined,
    );
    build.onLoad({ filter: /^lazy-child-process$/, namespace: "tcpdrop-shim" }, () => ({
      contents:
        'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: "js",
    }));
  },
};

/** `import process from "node:process"` is the global process, without node:process's namespace. */
const globalProcess = {
  name: "global-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?process$/ }, (args) =>
      args.kind === "import-statement"
        ? { path: "global-process", namespace: "tcpdrop-shim" }
        : undefined,
    );
    build.onLoad({ filter: /^global-process$/, namespace: "tcpdrop-shim" }, () => ({
      contents: "export default globalThis.process;",
      loader: "js",
    }));
  },
};
rmSync(OUT, { recursive: true, force: true });
const common = {
  outdir: OUT,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["koffi"],
  banner: {
    js: 'import { createRequire as __tcpdropCreateRequire } from "node:module"; const require = __tcpdropCreateRequire(import.meta.url);',
  },
  metafile: true,
  logLevel: "warning",
  plugins: [lazyChildProcess, globalProcess],
};
// The CLI, split at its dynamic imports.
const cli = await build({
  ...common,
  entryPoints: { cli: "src/cli.ts" },
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});
// The agent on its own, one file: shared chunks with the CLI would hand it code only the CLI
// needs (full zod's core and locales come along with the protocol's zod/mini schemas: ~680 kB
// to compile at every agent start instead of ~100 kB).
const agent = await build({ ...common, entryPoints: { "agent/main": "src/agent/main.ts" } });
// What each output file holds and imports: test/unit/cold-start.test.ts reads it.
const metafile = {
  inputs: { ...cli.metafile.inputs, ...agent.metafile.inputs },
  outputs: { ...cli.metafile.outputs, ...agent.metafile.outputs },
};
writeFileSync(`${OUT}meta.json`, JSON.stringify(metafile));
