// tcpdrop list: the built-in scenarios, one line each.
import { builtInSummaries } from "../scenario/summaries.js";

export interface ListOptions {
  json?: boolean;
}

export async function listCommand(opts: ListOptions): Promise<string> {
  const scenarios = await builtInSummaries();
  if (opts.json) return `${JSON.stringify(scenarios, null, 2)}\n`;
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) => {
      const aliases = s.aliases.length ? ` (alias: ${s.aliases.join(", ")})` : "";
      return `${s.name.padEnd(width)}  ${s.summary}${aliases}\n`;
    })
    .join("");
}
