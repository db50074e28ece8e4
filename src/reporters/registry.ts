// The reporters, one line each. An entry names the reporter and loads its module only when it
// is used, so that the command line (src/program.ts) can declare every file reporter's flag
// without loading any reporter. A file reporter's `file.option` becomes a flag of `run` and
// `compare`: `--junit <file>`, `--pcap <file>`, `--diagram <file>`.
import type { WireKeep } from "../wire/packet-log.js";
import type { Reporter } from "./reporter.js";

export interface ReporterEntry {
  name: string;
  /** A file reporter: its flag as commander declares it, and the flag's help. */
  file?: {
    option: string;
    help: string;
    /** The file names it can write (".html"...): any other is a usage error before the lab. */
    extensions?: string[];
    /** Needs the run's packets: refused with --packets off, or where no capture can start. */
    needsPackets?: boolean;
    /** What it reads of the capture beyond the JSON, which runs keep only when it is asked for. */
    keeps?: keyof WireKeep;
  };
  load: () => Promise<Reporter>;
}

export const REPORTERS: readonly ReporterEntry[] = [
  { name: "pretty", load: async () => (await import("./pretty.js")).prettyReporter },
  { name: "repeat", load: async () => (await import("./repeat.js")).repeatReporter },
  { name: "compare", load: async () => (await import("./compare.js")).compareReporter },
  { name: "json", load: async () => (await import("./json.js")).jsonReporter },
  {
    name: "junit",
    file: { option: "--junit <file>", help: "also write JUnit XML, one testcase per expectation" },
    load: async () => (await import("./junit.js")).junitReporter,
  },
  {
    name: "pcap",
    file: {
      option: "--pcap <file>",
      help: "also write the lab's packets as pcapng (Wireshark, tshark), the calls as comments",
      needsPackets: true,
      keeps: "frames",
    },
    load: async () => (await import("./pcap.js")).pcapReporter,
  },
  {
    name: "diagram",
    file: {
      option: "--diagram <file>",
      help: "also draw a sequence diagram: .html (self-contained), .svg, .mmd or .md (Mermaid)",
      extensions: [".html", ".htm", ".svg", ".mmd", ".md"],
      needsPackets: true,
      keeps: "packets",
    },
    load: async () => (await import("./diagram.js")).diagramReporter,
  },
];

/** The option key commander gives a file reporter's flag ("--junit <file>" -> "junit"). */
export function optionKey(option: string): string {
  const long = option.split(" ")[0].replace(/^--/, "");
  return long.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The reporter for stdout: JSON when asked, else the command's human form. */
export function stdoutReporterName(
  command: "run" | "compare",
  flags: { json?: boolean },
  report: { runs: { repetition?: number }[] },
): string {
  if (flags.json) return "json";
  if (command === "compare") return "compare";
  return report.runs.some((run) => run.repetition !== undefined) ? "repeat" : "pretty";
}

/**
 * Start loading the reporters a command's report will be given to (the stdout one as the flags
 * tell it, and each file reporter asked for), without waiting: called as the first lab is
 * built, their code compiles while the lab waits for its tools instead of after the run.
 */
export function preloadReporters(
  command: "run" | "compare",
  flags: Record<string, unknown> & { json?: boolean; repeat?: unknown },
): void {
  const repeated = flags.repeat !== undefined && String(flags.repeat) !== "1";
  const stdout = stdoutReporterName(command, flags, {
    runs: repeated ? [{ repetition: 1 }] : [],
  });
  const entries = [
    ...REPORTERS.filter((r) => r.name === stdout),
    ...fileReporters(flags).map((f) => f.entry),
  ];
  for (const entry of entries) entry.load().catch(() => {}); // deliver() loads it again and says why
}

/** File reporters whose flag was given, each with the path it writes to. */
export function fileReporters(
  flags: Record<string, unknown>,
): { entry: ReporterEntry; flag: string; path: string }[] {
  return REPORTERS.flatMap((entry) => {
    if (!entry.file) return [];
    const path = flags[optionKey(entry.file.option)];
    const flag = entry.file.option.split(" ")[0];
    return typeof path === "string" ? [{ entry, flag, path }] : [];
  });
}

/** What the runs must keep of their captures for the file reporters whose flag was given. */
export function wireKeep(flags: object): WireKeep {
  const keeps = new Set(
    fileReporters(flags as Record<string, unknown>).map(({ entry }) => entry.file?.keeps),
  );
  return { frames: keeps.has("frames"), packets: keeps.has("packets") };
}

export async function loadReporter(name: string): Promise<Reporter> {
  const entry = REPORTERS.find((r) => r.name === name);
  if (!entry) throw new Error(`no reporter named ${name}`);
  return entry.load();
}
