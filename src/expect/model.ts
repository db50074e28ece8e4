// The expectation language's data model: what `--expect` parses into and what evaluate() checks.
import { familyName } from "../program/call-families.js";
import type { CallResult } from "../types.js";

/** Socket calls an expectation may name. */
export const CALLS = [
  "connect",
  "accept",
  "recv",
  "send",
  "read",
  "write",
  "poll",
  "shutdown",
  "close",
  "heartbeat",
  "tcp_info",
] as const;
export type Call = (typeof CALLS)[number];

/**
 * `recv` matches every read-family call (read, readv, recvfrom, recvmsg...) and `send` every
 * write-family call: Node.js reports "read" and "write", a traced program its own syscalls.
 */
export function sameCall(a: string, b: string): boolean {
  return familyName(a) === familyName(b);
}

/** A closed interval of time after the fault, in milliseconds (both ends included). */
export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/**
 * How far a measurement may stray from a prediction.
 * - percent: max(MIN_TOLERANCE_MS, percent % of the predicted time) (`±10%`, the default).
 * - absolute: exactly this many ms either side (`±200ms`).
 */
export type Tolerance = { kind: "percent"; percent: number } | { kind: "absolute"; ms: number };

export const DEFAULT_TOLERANCE_PERCENT = 10;
export const MIN_TOLERANCE_MS = 100;

/** One parsed `--expect` expression; every form targets one connection id. */
export type Expectation =
  /** `<conn>: [<call>] <RESULT> [within <window>]`; call null = any call, window null = any time. */
  | {
      kind: "result";
      conn: string;
      call: Call | null;
      result: CallResult;
      window: TimeWindow | null;
    }
  /** `<conn>: none within <duration>`: no failing call in [0, withinMs] after the fault. */
  | { kind: "none"; conn: string; withinMs: number }
  /** `<conn>: predicted [±P%|±D]`: the first failure matches the prediction; null = default. */
  | { kind: "predicted"; conn: string; tolerance: Tolerance | null }
  /** `program: exits within <duration>`: the traced program exited within that time after the fault. */
  | { kind: "exits"; conn: string; withinMs: number }
  /** `program: exit code <N>`: the traced program exited (within the window) with that code. */
  | { kind: "exit-code"; conn: string; code: number };

/** The connection ids that stand for a traced program (--client-cmd, --server-cmd). */
export const PROGRAM_IDS = ["program", "server-program"] as const;

/** Tolerance in ms around a predicted time. */
export function toleranceMs(tolerance: Tolerance | null, predictedMs: number): number {
  if (tolerance?.kind === "absolute") return tolerance.ms;
  const percent = tolerance?.percent ?? DEFAULT_TOLERANCE_PERCENT;
  return Math.max(MIN_TOLERANCE_MS, (Math.abs(predictedMs) * percent) / 100);
}
