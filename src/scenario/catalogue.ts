// The built-in scenarios, compiled: `npm run build` reads scenarios/*.yaml once, checks them
// (yaml + zod, parse.ts) and writes them as one JSON file, dist/scenarios.json, with a hash of
// each YAML file. A run reads that file and checks the hashes (a YAML file edited since the
// build is noticed), so running a built-in loads neither the YAML parser nor zod. The hash
// notices an edit, nothing more (FNV-1a, 32 bits, and the length): node:crypto and its dozen
// modules are not loaded for it. The hashes are only computed when a YAML file is newer than
// the compiled file (an edit moves its mtime) or the set of files differs: reading and
// hashing every file was most of what each start spent on the catalogue, a stat is far less.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { SCENARIO_DIR } from "../defaults.js";
import { SetupError } from "../errors.js";
import { fromRoot } from "../package-root.js";
import type { Scenario } from "./model.js";

/** dist/scenarios.json, next to the compiled code (from src/ in tests too). */
export const CATALOGUE_FILE = fromRoot("dist", "scenarios.json");

export interface Catalogue {
  /** Each YAML file's hash (contentHash), by file name: what the scenarios were compiled from. */
  files: Record<string, string>;
  scenarios: Omit<Scenario, "file">[];
}

let loaded: Scenario[] | undefined;

/** "fnv1a32:<hex>:<length>" of some bytes: enough to tell that a file has changed. */
export function contentHash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  // an indexed loop: for...of runs the iterator protocol for each byte, ~10x slower before
  // V8 optimises it, which a start that hashes 23 kB once never gives it the time to
  for (let i = 0, n = bytes.length; i < n; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `fnv1a32:${(h >>> 0).toString(16).padStart(8, "0")}:${bytes.length}`;
}

/** The built-in scenario files' names, sorted by scenario name. */
function yamlFiles(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -".yaml".length))
    .sort()
    .map((name) => `${name}.yaml`);
}

/** The built-in scenario files as they are now, sorted by scenario name: file name -> hash. */
function hashes(files = yamlFiles()): Record<string, string> {
  return Object.fromEntries(
    files.map((f) => [f, contentHash(readFileSync(`${SCENARIO_DIR}${f}`))]),
  );
}

/** Could the YAML files (in `dir`) differ from what was compiled (into `built`)? Not if they
 * are the same files and none was modified after the compiled file was written. */
export function mayDiffer(
  compiled: Record<string, string>,
  files: string[],
  dir = SCENARIO_DIR,
  built = CATALOGUE_FILE,
): boolean {
  const names = Object.keys(compiled);
  if (names.length !== files.length || files.some((f) => !(f in compiled))) return true;
  try {
    const builtAt = statSync(built).mtimeMs;
    return files.some((f) => statSync(`${dir}${f}`).mtimeMs > builtAt);
  } catch {
    return true; // a file gone meanwhile: the hashes will say what changed
  }
}

/** Which files differ between the compiled catalogue and the YAML now ([] when it is fresh). */
export function staleFiles(
  compiled: Record<string, string>,
  now: Record<string, string>,
): string[] {
  const names = new Set([...Object.keys(compiled), ...Object.keys(now)]);
  return [...names].filter((f) => compiled[f] !== now[f]).sort();
}

const withFiles = (scenarios: Omit<Scenario, "file">[]): Scenario[] =>
  scenarios.map((s) => ({ ...s, file: `${SCENARIO_DIR}${s.name}.yaml` }));

/** The compiled catalogue if it exists and matches the YAML files, else why not. */
function readCatalogue(): { scenarios: Scenario[] } | { stale: string } {
  let catalogue: Catalogue;
  try {
    catalogue = JSON.parse(readFileSync(CATALOGUE_FILE, "utf8")) as Catalogue;
  } catch {
    return { stale: `${CATALOGUE_FILE} is missing or unreadable` };
  }
  const compiled = catalogue.files ?? {};
  const files = yamlFiles();
  const differ = mayDiffer(compiled, files) ? staleFiles(compiled, hashes(files)) : [];
  if (differ.length) return { stale: `scenarios/${differ[0]} changed since the last build` };
  return { scenarios: withFiles(catalogue.scenarios) };
}

/**
 * The built-ins, without loading yaml or zod: from memory or the compiled catalogue. Callers
 * that can wait call freshBuiltIns() first, which rebuilds a missing or stale catalogue.
 */
export function builtInScenarios(): Scenario[] {
  if (loaded) return loaded;
  const read = readCatalogue();
  if ("stale" in read) {
    throw new SetupError(
      `the built-in scenarios are not compiled: ${read.stale}; run npm run build`,
    );
  }
  loaded = read.scenarios;
  return loaded;
}

/** The built-ins, compiling the YAML files (and saving the catalogue) when it is stale. */
export async function freshBuiltIns(): Promise<Scenario[]> {
  if (loaded) return loaded;
  const read = readCatalogue();
  if ("stale" in read) {
    const compiled = await compileCatalogue();
    try {
      writeCatalogue(compiled.catalogue);
    } catch {
      // a read-only install: correct, just compiled again next time
    }
    loaded = compiled.scenarios;
  } else {
    loaded = read.scenarios;
  }
  return loaded;
}

/** Read and check every scenarios/*.yaml: a bad one is a UsageError that names it. */
export async function compileCatalogue(): Promise<{ catalogue: Catalogue; scenarios: Scenario[] }> {
  const { readScenarioFile } = await import("./parse.js");
  const files = hashes();
  const scenarios = Object.keys(files).map((f) => readScenarioFile(`${SCENARIO_DIR}${f}`));
  const catalogue = { files, scenarios: scenarios.map(({ file: _, ...rest }) => rest) };
  return { catalogue, scenarios };
}

export function writeCatalogue(catalogue: Catalogue, path = CATALOGUE_FILE): void {
  writeFileSync(path, `${JSON.stringify(catalogue)}\n`);
}
