// Before the fault, the connections settle: --pre-fault ms at least, and then until the server
// has accepted every connection and read every byte the clients' sends put on the wire. A
// server that closes with a message still unread sends RST instead of FIN (RFC 2525, and
// Linux's tcp_close), so a fault that came between a send and the server's read would change
// what the client sees; a connection still in the listener's queue is not yet the server's
// (a --pre-fault of 0 would otherwise race the accept). Only where each call is reported (not
// at scale, where calls that work are not).
import { nowMs, sleep } from "../clock.js";
import { peerMap, type RawEvent } from "./collect.js";

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

/**
 * Connections made that the server has not accepted (yet): counted, not matched by address,
 * since behind a NAT (nat-idle-timeout) the server sees the router's address, not the client's.
 */
export function unaccepted(raw: readonly RawEvent[]): number {
  let waiting = 0;
  for (const e of raw) {
    if (e.call === "connect" && e.side === "client" && e.result === "OK") waiting++;
    else if (e.call === "accept" && e.side === "server" && e.result === "OK") waiting--;
  }
  return Math.max(0, waiting);
}

/**
 * Wait at least `minMs`, then until all is accepted and read (at most SETTLE_CAP_MS more).
 * `heads`: the server reads only a first byte of each connection (the fault's `readsHeads`),
 * so read means that byte read from every connection that has sent.
 */
export async function settle(
  raw: readonly RawEvent[],
  minMs: number,
  each: boolean,
  heads = false,
): Promise<void> {
  if (minMs > 0) await sleep(minMs);
  if (!each) return;
  const giveUp = nowMs() + SETTLE_CAP_MS;
  const read = heads ? () => unheard(raw).size === 0 : () => unreadBytes(raw) <= 0;
  const settled = () => read() && unaccepted(raw) === 0;
  while (!settled() && nowMs() < giveUp) await sleep(1);
}

/** How long a segment takes to land in the peer's receive queue in the lab (RTT ~50 µs), with room. */
const LAND_MS = 5;

/**
 * The data each watched connection moved, by the client's connection id: a client's send or
 * write (+bytes), and its server's recv (-bytes; found by the peer's address). MSG_OOB bytes
 * aside: the server's plain recv never reads them.
 */
function* dataMoves(raw: readonly RawEvent[]): Generator<{ conn: string; bytes: number }> {
  const peers = peerMap(raw);
  for (const e of raw) {
    if (e.result !== "OK" || !e.bytes || e.detail === "MSG_OOB") continue;
    if (e.side === "client" && (e.call === "send" || e.call === "write"))
      yield { conn: e.conn, bytes: e.bytes };
    else if (e.side === "server" && e.call === "recv") {
      const conn = peers.get(e.conn);
      if (conn !== undefined) yield { conn, bytes: -e.bytes };
    }
  }
}

/** Bytes each client connection has sent that its server has not read, by connection id. */
export function unreadByConnection(raw: readonly RawEvent[]): Map<string, number> {
  const unread = new Map<string, number>();
  for (const { conn, bytes } of dataMoves(raw)) unread.set(conn, (unread.get(conn) ?? 0) + bytes);
  return unread;
}

/** Client connections that have sent data of which their server has read nothing yet. */
export function unheard(raw: readonly RawEvent[]): Set<string> {
  const [sent, heard] = [new Set<string>(), new Set<string>()];
  for (const { conn, bytes } of dataMoves(raw)) (bytes > 0 ? sent : heard).add(conn);
  return new Set([...sent].filter((conn) => !heard.has(conn)));
}

/**
 * The server has stopped reading: wait until every connection that sends has bytes unread
 * there (a writer's next message, a heartbeat's next ping), and a few ms for them to land, at
 * most capMs. Where calls are not reported, that is capMs. `heads` (the fault's `readsHeads`):
 * the server reads a first byte of each connection before it stops, and that read comes first.
 */
export async function untilUnread(
  raw: readonly RawEvent[],
  capMs: number,
  heads = false,
): Promise<void> {
  const giveUp = nowMs() + capMs;
  const someReadAll = () => {
    const unread = [...unreadByConnection(raw).values()];
    const headless = heads && unheard(raw).size > 0;
    return unread.length === 0 || unread.some((n) => n <= 0) || headless;
  };
  while (someReadAll() && nowMs() < giveUp) await sleep(1);
  // (with heads, what the server read a byte of has landed)
  if (!heads && [...unreadByConnection(raw).values()].some((n) => n > 0)) await sleep(LAND_MS);
}

/** Server connections accepted and not closed (the server's own close call). */
export function openOnServer(raw: readonly RawEvent[]): number {
  const open = new Set<string>();
  for (const e of raw) {
    if (e.side !== "server") continue;
    if (e.call === "accept" && e.result === "OK") open.add(e.conn);
    else if (e.call === "close") open.delete(e.conn);
  }
  return open.size;
}

/** No event for this long: the peer has nothing more to say (in the lab, ~0.1 ms after). */
const LAST_WORD_QUIET_MS = 10;
/** At most this long after the last watched connection is done. */
const LAST_WORD_CAP_MS = 100;

/**
 * Every watched connection is done (its close returned): give the server the time to answer
 * that close (its recv EOF, its own close), so that the report has both sides' last calls.
 * Done when every server connection is closed, or when no event has come for
 * LAST_WORD_QUIET_MS (a server that is gone, or at scale, says nothing more).
 */
export async function lastWord(raw: readonly RawEvent[]): Promise<void> {
  const giveUp = nowMs() + LAST_WORD_CAP_MS;
  let count = raw.length;
  let quietSince = nowMs();
  while (openOnServer(raw) > 0) {
    const now = nowMs();
    if (raw.length !== count) [count, quietSince] = [raw.length, now];
    if (now - quietSince >= LAST_WORD_QUIET_MS || now >= giveUp) return;
    await sleep(1);
  }
}
