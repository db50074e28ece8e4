// What `tcpdrop list` shows (name, aliases, fault, summary) for every built-in scenario,
// cached in dist/ next to the code and keyed by each file's modification time, so that
// listing does not load the YAML parser and the schema unless a scenario file changed.
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { SCENARIO_DIR as DIR } from "../defaults.js";

export interface Summary {
  name: string;
  aliases: string[];
  fault: string;
  summary: string;
}

const CACHE = fileURLToPath(new URL("../scenario-summaries.json", import.meta.url));

function fingerprint(): Record<string, number> {
  const files = readdirSync(DIR)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  return Object.fromEntries(files.map((f) => [f, statSync(`${DIR}${f}`).mtimeMs]));
}

export async function builtInSummaries(): Promise<Summary[]> {
  const key = fingerprint();
  try {
    const cached = JSON.parse(readFileSync(CACHE, "utf8")) as {
      key: Record<string, number>;
      summaries: Summary[];
    };
    if (JSON.stringify(cached.key) === JSON.stringify(key)) return cached.summaries;
  } catch {
    // no cache yet, or an unreadable one: build it
  }
  const { loadBuiltIns } = await import("./load.js");
  const summaries = loadBuiltIns().map(({ name, aliases, fault, summary }) => ({
    name,
    aliases,
    fault,
    summary,
  }));
  try {
    writeFileSync(CACHE, JSON.stringify({ key, summaries }));
  } catch {
    // a read-only install: list stays correct, just not cached
  }
  return summaries;
}
