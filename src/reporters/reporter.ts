// The one reporter contract: every output is a function of the same report document and the
// same options. A reporter prints to stdout, or, as a file reporter (registry.ts), is written
// to the path given with its flag (--junit PATH today; pcap, an HTML diagram and Mermaid are
// meant to follow the same way). Live hooks are optional, as in vitest's Reporter: a live view and an end-of-run format
// share one type.
import type { Report } from "../types.js";

export interface ReporterOptions {
  /** ANSI colors (a TTY without NO_COLOR); file reporters ignore it. */
  color: boolean;
}

export interface Reporter {
  /** The name the registry knows it by ("pretty", "json", "junit"...). */
  name: string;
  render(report: Report, options: ReporterOptions): string;
  /** Optional live hook: called about every 100 ms while a run watches its connections. */
  onProgress?(label: string, elapsedMs: number, events: number): void;
}
