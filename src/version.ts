// tcpdrop's own version (package.json), which a runner and its agents must share: the ready
// message of every agent carries it, and the runner refuses an agent of another version.
import { readFileSync } from "node:fs";
import { nowMs } from "./clock.js";
import { fromRoot } from "./package-root.js";
import type { AgentMessage } from "./protocol.js";

export const VERSION = (
  JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as {
    version: string;
  }
).version;

/** This kernel's boot_id: two processes that share it share CLOCK_MONOTONIC. */
export function bootId(): string | undefined {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return undefined;
  }
}

/** The protocol's own version, raised when a message or command changes incompatibly. */
export const PROTOCOL_VERSION = 1;

/** An agent's hello, the same from a process and from the in-process end: who, when, which version. */
export function readyMessage(host: string): Extract<AgentMessage, { type: "ready" }> {
  return {
    type: "ready",
    host,
    pid: process.pid,
    t: nowMs(),
    version: VERSION,
    protocol: PROTOCOL_VERSION,
    bootId: bootId(),
  };
}
