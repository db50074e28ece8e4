// Expectations on a traced program's process: `program: exits within 5s` (it exited, by itself
// or by a signal, within that time after the fault) and `program: exit code 1` (it exited with
// that code within the run). Its calls are checked like any connection's (see evaluate.ts).
import type { ProgramReport } from "../types.js";
import { plainSeconds, signedSeconds } from "./format.js";
import type { Outcome } from "./outcome.js";

function exitText(p: ProgramReport): string {
  if (p.exit === null) return "it was still running when the run ended (tcpdrop killed it)";
  const how = p.exit.signal ? `killed by ${p.exit.signal}` : `exit code ${p.exit.code}`;
  return `${how} at ${signedSeconds(p.exit.afterMs)} s`;
}

export function checkExits(conn: string, p: ProgramReport, withinMs: number): Outcome {
  const expected = `${conn} exits within ${plainSeconds(withinMs)}`;
  if (p.exit !== null && p.exit.afterMs <= withinMs)
    return { pass: true, message: `${conn} ${exitText(p)}, within ${plainSeconds(withinMs)}` };
  return { pass: false, message: `expected ${expected} after the fault; got ${exitText(p)}` };
}

export function checkExitCode(conn: string, p: ProgramReport, code: number): Outcome {
  if (p.exit !== null && p.exit.signal === null && p.exit.code === code)
    return { pass: true, message: `${conn} ${exitText(p)}` };
  return { pass: false, message: `expected ${conn} exit code ${code}; got ${exitText(p)}` };
}
