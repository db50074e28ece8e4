// The one reporter contract: every output is a function of the same report document and the
// same options. A reporter prints to stdout, or, as a file reporter (registry.ts), is written
// to the path given with its flag (--junit, --pcap, --diagram). Live hooks are optional, as
// in vitest's Reporter: a live view and an end-of-run format share one type. The pcapng and
// the diagram also read the run's captured frames, kept beside the report (src/wire/store.ts).
import type { Report } from "../types.js";

export interface ReporterOptions {
  /** ANSI colors (a TTY without NO_COLOR); file reporters ignore it. */
  color: boolean;
  /** A file reporter's path (the diagram's format follows its extension). */
  path?: string;
}

export interface Reporter {
  /** The name the registry knows it by ("pretty", "json", "junit"...). */
  name: string;
  /** Text, or bytes for a binary file format (pcapng). */
  render(report: Report, options: ReporterOptions): string | Uint8Array;
  /** Optional: render's text in pieces, for stdout, so that the whole is never in memory at once. */
  renderChunks?(report: Report, options: ReporterOptions): Iterable<string>;
  /** Optional live hook: called about every 100 ms while a run watches its connections. */
  onProgress?(label: string, elapsedMs: number, events: number): void;
}
