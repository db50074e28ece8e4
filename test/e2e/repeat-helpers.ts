// Running a scenario three times over (--repeat 3) and reading what each connection saw: the
// end-to-end catalogue checks that every run passes with identical outcomes.
import { expect } from "vitest";
import type { Report } from "../../src/types.js";
import { runJson } from "./helpers.js";

/** The outcome of each connection in each repetition: "recv ECONNRESET" or "none". */
export function outcomes(report: Report): string[][] {
  return report.runs.map((run) =>
    run.connections.map((c) =>
      c.firstFailure ? `${c.id}: ${c.firstFailure.call} ${c.firstFailure.result}` : `${c.id}: none`,
    ),
  );
}

/**
 * Behind an unreachable route the error (the router's ICMP with IP_RECVERR, or the timer giving
 * up) fails whichever call the writer is in when it lands: it sends every 200 ms and otherwise
 * waits in recv, so under load the error can land in a send. Which call is a race; the errno
 * is not. Such outcomes read "writer: send|recv ERRNO".
 */
const racyWriterCall = (outcome: string) =>
  outcome.replace(/^writer: (send|recv) /, "writer: send|recv ");

export async function threeIdentical(
  args: string[],
  expected: string[],
  opts: { racyWriter?: boolean } = {},
): Promise<Report> {
  const { code, report } = await runJson([...args, "--repeat", "3"]);
  const failed = report.runs.flatMap((r) =>
    r.verdicts.filter((v) => !v.pass).map((v) => v.message),
  );
  expect(failed).toEqual([]);
  expect(code).toBe(0);
  const seen = outcomes(report).map((run) => (opts.racyWriter ? run.map(racyWriterCall) : run));
  expect(seen).toEqual([expected, expected, expected]);
  return report;
}
