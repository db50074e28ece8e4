// One dim line under a run's header when its packets were not captured, saying why (the
// timeline then shows calls only); nothing when they were, or when --packets off asked so.
import type { ChalkInstance } from "chalk";
import type { RunReport } from "../types.js";

export function captureNote(run: RunReport, c: ChalkInstance): string[] {
  const capture = run.capture;
  if (capture?.status !== "unavailable") return [];
  return [c.dim(`packets not captured: ${capture.note ?? "the capture could not start"}`)];
}
