// An agent process (main.ts) tells the runner everything as one JSON line on stdout (an
// in-process agent hands its messages over directly instead), written synchronously so
// that nothing is lost when the agent is killed right after. At scale (thousands of
// connections failing together) lines are batched and written once per turn of the event
// loop instead: each line still carries the time its call returned.
import { writeSync } from "node:fs";
import { nowMs } from "../clock.js";
import type { AgentMessage, CallEvent } from "../protocol.js";

let batched = false;
let pending: string[] = [];

/** Batch output from now on (quiet agents at scale). */
export function batchOutput(): void {
  batched = true;
}

/** Write out whatever is batched. */
export function flush(): void {
  if (pending.length === 0) return;
  const text = pending.join("");
  pending = [];
  writeSync(1, text);
}

export function emit(message: AgentMessage): void {
  const line = `${JSON.stringify(message)}\n`;
  if (!batched || message.type === "reply") {
    flush();
    writeSync(1, line);
    return;
  }
  if (pending.length === 0) setImmediate(flush);
  pending.push(line);
}

/** One socket call that returned, stamped with the time it returned. */
export function emitCall(event: CallEvent, t = nowMs()): void {
  emit({ type: "event", t, ...event });
}
