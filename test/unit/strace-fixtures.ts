// The strace fixtures: real programs recorded in a lab by test/fixtures/strace/record.sh.
import { readFileSync } from "node:fs";
import { StraceParser } from "../../src/program/strace-parse.js";
import type { TraceRecord } from "../../src/program/trace-types.js";

const FIXTURES = new URL("../fixtures/strace/", import.meta.url);

/** A recorded trace, parsed, with times in ms relative to its fault (t=0). */
export function recorded(name: string): { records: TraceRecord[]; faultMs: number } {
  const text = readFileSync(new URL(`${name}.trace`, FIXTURES), "utf8");
  const faultMs = Number(readFileSync(new URL(`${name}.trace.fault`, FIXTURES), "utf8")) * 1000;
  // Passing the fault's realtime as "realtime minus monotonic" makes the fault t=0.
  const parser = new StraceParser(faultMs);
  const lines = text.split("\n");
  const partial = lines.pop() ?? "";
  const records = lines.flatMap((line) => parser.push(line));
  return { records: [...records, ...parser.end(partial)], faultMs };
}
