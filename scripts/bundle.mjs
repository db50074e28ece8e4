// The CLI as it ships: esbuild bundles src/cli.ts and the agent (src/agent/main.ts) into
// dist/bundle/, split at every dynamic import, so that a command loads one file for its shape
// and one chunk per piece of work it really does, instead of the few hundred modules tsc emits
// (each a file to find, read and link: most of `run`'s cold start). tsc still type-checks and
// writes dist/ (the catalogue compiler and the tests' helpers use it). dist/bundle/meta.json is
// esbuild's account of which sources went into which file.
//
// koffi stays outside: it is a native addon that finds its .node file next to its own code.
// Bundled CommonJS packages (commander, cli-table3) call require() for Node's built-ins, which
// an ES module does not have; the banner gives each chunk one.
import { rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

const OUT = new URL("../dist/bundle/", import.meta.url).pathname;
rmSync(OUT, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: { cli: "src/cli.ts", "agent/main": "src/agent/main.ts" },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["koffi"],
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    js: 'import { createRequire as __tcpdropCreateRequire } from "node:module"; const require = __tcpdropCreateRequire(import.meta.url);',
  },
  metafile: true,
  logLevel: "warning",
});
// What each output file holds and imports: test/unit/cold-start.test.ts reads it.
writeFileSync(`${OUT}meta.json`, JSON.stringify(metafile));
