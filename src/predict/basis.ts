// The words a prediction gives as its basis, and the few facts undetectedHint reads back.
// Building and parsing live side by side so that they cannot drift apart.

import type { KeepaliveSetting } from "../types.js";

/** Rounds to 0.1 ms, the precision predictions are reported with. */
export function round1(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Milliseconds as seconds with one decimal: 924600 -> "924.6". */
export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export const FIN_BASIS = "FIN from the peer";
export const RST_BASIS = "RST from the peer";
export const URGENT_UNREAD_BASIS =
  "RST from the peer: it closed with the urgent byte unread (plain recv never reads MSG_OOB data)";
export const IDLE_NEVER_BASIS =
  "an idle socket without keepalive sends nothing, so the kernel never notices";

// Both writer limits count from retrans_stamp, the first RTO retransmission (after the tail
// loss probe), not from the original send: see retransmit.ts.

export function userTimeoutBasis(userTimeoutMs: number): string {
  return `TCP_USER_TIMEOUT ${userTimeoutMs} ms from the first retransmission`;
}

export function retries2Basis(retries2: number, modelTimeoutMs: number): string {
  return (
    `tcp_retries2=${retries2}: retransmissions give up ` +
    `${seconds(modelTimeoutMs)} s after the first one`
  );
}

/** The tcp_retries2 value a retries2Basis text names, or null for any other basis. */
export function retries2Of(basis: string): number | null {
  const m = /^tcp_retries2=(\d+):/.exec(basis);
  return m ? Number(m[1]) : null;
}

export function keepaliveBasis(ka: KeepaliveSetting, userTimeoutMs: number | null): string {
  if (userTimeoutMs === null) {
    return `keepalive ${ka.idle} s + ${ka.count} x ${ka.interval} s from last activity`;
  }
  return (
    `keepalive ${ka.idle} s, then a probe every ${ka.interval} s until TCP_USER_TIMEOUT ` +
    `${userTimeoutMs} ms from last activity (it overrides the count of ${ka.count})`
  );
}

/** True when a basis says keepalive is what detects (or fails to detect) the fault. */
export function isKeepaliveBasis(basis: string): boolean {
  return basis.includes("keepalive");
}

export function rebootRstBasis(what: "retransmission" | "keepalive probe", atMs: number): string {
  return `${what} at ${round1(atMs)} ms reaches the rebooted host, which answers RST`;
}

export function beforeRebootBasis(giveUpBasis: string, rebootAtMs: number): string {
  return `${giveUpBasis}, before anything reaches the host back at ${round1(rebootAtMs)} ms`;
}
