// Everything the agent tells the runner is one JSON line on stdout, written synchronously so
// that nothing is lost when the agent is killed right after.
import { writeSync } from "node:fs";

/** CLOCK_MONOTONIC in milliseconds; the runner reads the same clock. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function emit(message: Record<string, unknown>): void {
  writeSync(1, `${JSON.stringify(message)}\n`);
}

export interface CallEvent {
  side: "client" | "server";
  conn: string;
  call: string;
  result: string;
  bytes?: number;
  detail?: string;
}

/** One socket call that returned, stamped with the time it returned. */
export function emitCall(event: CallEvent, t = nowMs()): void {
  emit({ type: "event", t, ...event });
}
