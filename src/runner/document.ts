// The report document every reporter gets: finished runs wrapped with the schema version, the
// tool's version and the kernel release (the JSON contract, schemaVersion 1).
import type { Report, RunReport } from "../types.js";

export function buildReport(runs: RunReport[], kernel: string, version: string): Report {
  return { schemaVersion: 1, tool: { name: "tcpdrop", version }, kernel, runs };
}
