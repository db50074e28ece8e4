// Before the fault, the connections settle: --pre-fault ms at least, and then until the server
// has read every byte the clients' sends put on the wire. A server that closes with a message
// still unread sends RST instead of FIN (RFC 2525, and Linux's tcp_close), so a fault that
// came between a send and the server's read would change what the client sees. Only where
// each call is reported (not at scale, where calls that work are not).
import { nowMs, sleep } from "../clock.js";
import type { RawEvent } from "./collect.js";

/** Give up waiting after this long: the fault then comes with data unread, as it may. */
const SETTLE_CAP_MS = 1000;

/** Bytes the clients have sent on the watched connections that their servers have not read. */
export function unreadBytes(raw: readonly RawEvent[]): number {
  let unread = 0;
  for (const e of raw) {
    if (e.result !== "OK" || !e.bytes) continue;
    // the urgent workload's MSG_OOB byte: the server's plain recv never reads it
    if (e.detail === "MSG_OOB") continue;
    if (e.side === "client" && (e.call === "send" || e.call === "write")) unread += e.bytes;
    else if (e.side === "server" && e.call === "recv") unread -= e.bytes;
  }
  return unread;
}

/** Wait at least `minMs`, then until nothing sent is unread (at most SETTLE_CAP_MS more). */
export async function settle(
  raw: readonly RawEvent[],
  minMs: number,
  each: boolean,
): Promise<void> {
  await sleep(minMs);
  if (!each) return;
  const giveUp = nowMs() + SETTLE_CAP_MS;
  while (unreadBytes(raw) > 0 && nowMs() < giveUp) await sleep(1);
}

/** How long a segment takes to land in the peer's receive queue in the lab (RTT ~50 µs), with room. */
const LAND_MS = 5;

/**
 * The server has stopped reading: wait until bytes a client sent are unread there (and a few
 * ms for them to land), at most capMs. Where calls are not reported, that is capMs.
 */
export async function untilUnread(raw: readonly RawEvent[], capMs: number): Promise<void> {
  const giveUp = nowMs() + capMs;
  while (unreadBytes(raw) === 0 && nowMs() < giveUp) await sleep(1);
  if (unreadBytes(raw) > 0) await sleep(LAND_MS);
}
