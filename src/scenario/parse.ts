// Reading a scenario file: YAML, checked with zod (schema.ts), its expectations parsed. Every
// problem becomes a one-line UsageError that says where it is: YAML line and column, the path
// of a bad field, or the bad expectation. Loaded only for a user's own file (`tcpdrop run
// ./mine.yaml`) and when the built-ins are compiled (catalogue.ts), never for a built-in run.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseDocument } from "yaml";
import { UsageError } from "../errors.js";
import { ExpectSyntaxError, parseExpectation } from "../expect/index.js";
import type { Scenario } from "./model.js";
import { scenarioSchema } from "./schema.js";

export function readScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = {
      ENOENT: "no such file",
      EACCES: "permission denied",
      EISDIR: "it is a directory",
    };
    const why = reasons[code ?? ""] ?? code;
    throw new UsageError(`cannot read scenario file ${path}: ${why}`);
  }
  const name = basename(path).replace(/\.ya?ml$/, "");
  return parseScenario(text, path, name);
}

/** Parse and validate scenario text; `where` names the file in error messages. */
export function parseScenario(text: string, where: string, name: string): Scenario {
  const doc = parseDocument(text);
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = yamlError.linePos?.[0];
    const at = pos ? `:${pos.line}:${pos.col}` : "";
    const what = yamlError.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new UsageError(`${where}${at}: invalid YAML: ${what}`);
  }
  const checked = scenarioSchema.safeParse(doc.toJS());
  if (!checked.success) {
    const issue = deepestIssue(checked.error.issues[0]);
    const field = issue.path.length ? issue.path.join(".") : "(top level)";
    throw new UsageError(`${where}: ${field}: ${issue.message}`);
  }
  const { expect, ...rest } = checked.data;
  const expectations = expect.map((entry, i) => {
    const text = typeof entry === "string" ? entry : entry.expect;
    const when = typeof entry === "string" ? null : entry.when;
    try {
      return { expectation: parseExpectation(text), text, when };
    } catch (err) {
      if (err instanceof ExpectSyntaxError)
        throw new UsageError(`${where}: expect.${i}: ${err.message}`);
      throw err;
    }
  });
  return { ...rest, name, file: where, expectations };
}

type Issue = { path: PropertyKey[]; message: string; code?: string; errors?: Issue[][] };

/** A union's error hides where each branch failed: report the branch that got furthest. */
function deepestIssue(issue: Issue): Issue {
  if (issue.code !== "invalid_union" || !issue.errors?.length) return issue;
  const candidates = issue.errors
    .flat()
    .map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
  return candidates.reduce((a, b) => (b.path.length > a.path.length ? b : a), issue);
}
