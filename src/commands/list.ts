// tcpdrop list: the built-in scenarios, one line each, from the compiled catalogue (neither
// the YAML parser nor zod is loaded unless a scenario file changed since the build).
import { freshBuiltIns } from "../scenario/catalogue.js";

export interface ListOptions {
  json?: boolean;
}

export async function listCommand(opts: ListOptions): Promise<string> {
  const scenarios = (await freshBuiltIns()).map(({ name, aliases, fault, summary }) => ({
    name,
    aliases,
    fault,
    summary,
  }));
  if (opts.json) return `${JSON.stringify(scenarios, null, 2)}\n`;
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) => {
      const aliases = s.aliases.length ? ` (alias: ${s.aliases.join(", ")})` : "";
      return `${s.name.padEnd(width)}  ${s.summary}${aliases}\n`;
    })
    .join("");
}
