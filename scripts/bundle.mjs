// The CLI as it ships: esbuild bundles src/cli.ts into one CommonJS file, dist/bundle/cli.cjs,
// which bin/tcpdrop.js compiles with V8's code cache (src/launch.ts): the few hundred modules
// tsc emits would each be a file to find, read, compile and link (most of `run`'s cold start).
// A command's work still starts only when it runs: every dynamic import() in src/ becomes a
// module that esbuild initialises on first use (its __esm wrapper), and its packages are
// required then. tsc still type-checks and writes dist/ (the catalogue compiler, the tests'
// helpers use it). The agent that the subprocess transport spawns is a second bundle,
// dist/bundle/agent/agent.cjs, started the same way. dist/bundle/meta.json is
// esbuild's account of which sources went into which file.
//
// koffi stays outside: it is a native addon, loaded from its own install (src/agent/koffi.ts).
// commander requires node:child_process at load for its executable subcommands, which tcpdrop
// has none of: its copy is loaded on first use instead (child_process brings net, dgram and
// their internals, ~7 ms when nothing else has loaded them). chalk's `import process from "node:process"` is the global process object: an ES
// import of node:process builds a namespace of every property of process, and their getters
// take ~10 ms (allowedNodeEnvironmentFlags, report...).
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
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
/** Non-ASCII text left in a bundle (in comments) escaped, so that it reads the same as latin1. */
function asciiOnly(file) {
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(
      /[\u0080-\uffff]/g, // each UTF-16 unit: a surrogate pair becomes two escapes
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    ),
  );
}

rmSync(OUT, { recursive: true, force: true }); // the old code caches go with the old bundle
const common = {
  outdir: OUT,
  bundle: true,
  platform: "node",
  target: "node20",
  external: ["koffi"],
  metafile: true,
  logLevel: "warning",
  plugins: [lazyChildProcess, globalProcess],
};
// A bundle that src/launch.ts compiles with V8's code cache: one CommonJS file, in which
// import.meta.url (package-root.ts) is the bundle's own URL.
const codeCached = {
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  define: { "import.meta.url": "__tcpdropBundleUrl" },
  // Without comments and blanks the file is a third smaller (read at every start); names stay,
  // so a stack trace still names each function.
  minifyWhitespace: true,
  minifySyntax: true,
  // "use strict" first, as the ES modules it came from were strict: esbuild's own directive
  // comes after the banner, where it would be a plain string.
  banner: {
    js: '"use strict"; var __tcpdropBundleUrl = require("node:url").pathToFileURL(__filename).href;',
  },
};
const cli = await build({ ...common, ...codeCached, entryPoints: { cli: "src/cli.ts" } });
// src/launch.ts reads the bundle as latin1, a one-byte string that costs no decoding (Node 20
// took ~13 ms to decode the 1.1 MB of the unminified bundle as UTF-8): esbuild escapes non-ASCII
// text in strings, and what is left is escaped here, so that the file is ASCII and both
// readings agree.
asciiOnly(`${OUT}cli.cjs`);
// The launcher that bin/tcpdrop.js (CommonJS) requires: src/launch.ts alone, as CommonJS.
await build({
  ...common,
  entryPoints: { launch: "src/launch.ts" },
  format: "cjs",
  outExtension: { ".js": ".cjs" },
  metafile: false,
});
// The agent on its own, one file: shared code with the CLI would hand it code only the CLI
// needs (full zod's core and locales come along with the protocol's zod/mini schemas: ~680 kB
// to compile at every agent start instead of ~100 kB). Like the CLI, it is CommonJS compiled
// with V8's code cache: dist/bundle/agent/main.cjs, the path the subprocess transport spawns,
// launches dist/bundle/agent/agent.cjs.
const agent = await build({
  ...common,
  ...codeCached,
  entryPoints: { "agent/agent": "src/agent/main.ts" },
});
asciiOnly(`${OUT}agent/agent.cjs`);
writeFileSync(
  `${OUT}agent/main.cjs`,
  [
    "// Written by scripts/bundle.mjs: the agent (agent.cjs) compiled with V8's code cache.",
    'const { join } = require("node:path");',
    'require("../launch.cjs").launch(join(__dirname, "agent.cjs"), "agent");',
    "",
  ].join("\n"),
);
// Lab agents end by SIGKILL with their lab, before any exit could write their code cache: one
// start here (stdin closed, so it says "ready" and exits 0) writes it. Where that cannot run,
// the agent starts without a cache, as before.
spawnSync(process.execPath, [`${OUT}agent/main.cjs`, "--host", "build"], {
  input: "",
  stdio: ["pipe", "ignore", "ignore"],
  timeout: 10_000,
});
// What each output file holds and imports: test/unit/cold-start.test.ts reads it.
const metafile = {
  inputs: { ...cli.metafile.inputs, ...agent.metafile.inputs },
  outputs: { ...cli.metafile.outputs, ...agent.metafile.outputs },
};
writeFileSync(`${OUT}meta.json`, JSON.stringify(metafile));
