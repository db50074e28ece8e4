// tcpdrop list: the built-in scenarios, one line each.
import { loadBuiltIns } from "../scenario/load.js";

export interface ListOptions {
  json?: boolean;
}

export function listCommand(opts: ListOptions): string {
  const scenarios = loadBuiltIns();
  if (opts.json) {
    const rows = scenarios.map(({ name, aliases, summary, fault }) => ({
      name,
      aliases,
      fault,
      summary,
    }));
    return `${JSON.stringify(rows, null, 2)}\n`;
  }
  const width = Math.max(...scenarios.map((s) => s.name.length));
  return scenarios
    .map((s) => {
      const aliases = s.aliases.length ? ` (alias: ${s.aliases.join(", ")})` : "";
      return `${s.name.padEnd(width)}  ${s.summary}${aliases}\n`;
    })
    .join("");
}
