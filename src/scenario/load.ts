// Finding scenarios: a built-in name (file name = scenario name, or one of its aliases) from
// the compiled catalogue (catalogue.ts), or a path to a file of one's own, read with yaml and
// zod (parse.ts). Those two are loaded only when a path is given: `prepareScenarios()` loads
// them before the synchronous calls below need them.
import { resolve } from "node:path";
import { UsageError } from "../errors.js";
import { builtInScenarios, freshBuiltIns } from "./catalogue.js";
import { closest } from "./closest.js";
import { isScenarioPath, type Scenario } from "./model.js";

export type { Scenario } from "./model.js";

let readFile: ((path: string) => Scenario) | undefined;

/**
 * Get ready to load these names and paths synchronously: a fresh catalogue of the built-ins,
 * and the file reader (yaml, zod) when a path is among them.
 */
export async function prepareScenarios(names: string[]): Promise<void> {
  await freshBuiltIns();
  if (names.some(isScenarioPath)) readFile ??= (await import("./parse.js")).readScenarioFile;
}

/** Built-in scenario names, sorted. */
export function builtInNames(): string[] {
  return builtInScenarios().map((s) => s.name);
}

export function loadBuiltIns(): Scenario[] {
  return builtInScenarios();
}

/** A built-in name, an alias, or a path to a scenario file (anything with a "/" or ".yaml"). */
export function loadScenario(nameOrPath: string): Scenario {
  if (isScenarioPath(nameOrPath)) return loadFile(nameOrPath);
  const all = builtInScenarios();
  const found = all.find((s) => s.name === nameOrPath || s.aliases.includes(nameOrPath));
  if (found) return found;
  const names = all.flatMap((s) => [s.name, ...s.aliases]);
  const suggestion = closest(nameOrPath, names);
  const hint = suggestion ? `did you mean "${suggestion}"? ` : "";
  throw new UsageError(
    `unknown scenario "${nameOrPath}": ${hint}run "tcpdrop list" to see them all`,
  );
}

/** A scenario file: a built-in's own file from the catalogue, any other read and checked. */
export function loadFile(path: string): Scenario {
  const builtIn = builtInScenarios().find((s) => s.file === resolve(path));
  if (builtIn) return { ...builtIn, file: path };
  if (!readFile) {
    throw new Error(`loadFile(${path}): call prepareScenarios() first (it loads yaml and zod)`);
  }
  return readFile(path);
}
