// A scenario as the runner uses it: the file's fields with their defaults, its name and file,
// and its expectations parsed. The same shape whether it came from the compiled catalogue of
// built-ins (catalogue.ts) or from a user's own file (parse.ts).
import type { Expectation } from "../expect/index.js";
import type { Condition, ScenarioFile } from "./schema.js";

export interface Scenario extends Omit<ScenarioFile, "expect"> {
  name: string;
  file: string;
  expectations: { expectation: Expectation; text: string; when: Condition | null }[];
}

/** Anything with a "/" or a .yaml/.yml extension names a file; anything else a built-in. */
export function isScenarioPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath);
}
