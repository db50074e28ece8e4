// Turning what the agents wrote into per-connection timelines: times made relative to the
// fault, server-side sockets matched to the client connection they belong to (by address, or
// by port alone behind a NAT, which keeps the client's port), and the first failing client
// call of each connection.

import { isFailure } from "../failure.js";
import type { CallEvent } from "../protocol.js";
import type { FirstFailure, SocketEvent } from "../types.js";

/** An event line as an agent wrote it: the call and its CLOCK_MONOTONIC time. */
export type RawEvent = CallEvent & { t: number };

export function toEvent(raw: RawEvent, faultAt: number, conn = raw.conn): SocketEvent {
  const event: SocketEvent = {
    tMs: roundBeforeFault(raw.t - faultAt),
    side: raw.side,
    conn,
    call: raw.call,
    result: raw.result,
  };
  if (raw.bytes !== undefined && raw.result === "OK") event.bytes = raw.bytes;
  if (raw.detail !== undefined) event.detail = raw.detail;
  return event;
}

/** Client connection id for each server-side peer address ("198.51.100.2:40312" -> "idle"). */
export function peerMap(raw: RawEvent[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const e of raw) {
    if (e.side === "client" && e.call === "connect" && e.detail) {
      const address = e.detail.split(" ")[0];
      map.set(address, e.conn);
      map.set(portOf(address), e.conn);
    }
  }
  return map;
}

/** Events of each client connection, both sides, in time order. */
export function timelines(
  raw: RawEvent[],
  faultAt: number,
  ids: string[],
): Map<string, SocketEvent[]> {
  const peers = peerMap(raw);
  const out = new Map<string, SocketEvent[]>(ids.map((id) => [id, []]));
  for (const e of raw) {
    // Server events name the peer's address, or (an adopted socket, --observer server) the id.
    const id =
      e.side === "client"
        ? e.conn
        : (peers.get(e.conn) ??
          (out.has(e.conn) ? e.conn : undefined) ??
          peers.get(portOf(e.conn)));
    if (id !== undefined) out.get(id)?.push(toEvent(e, faultAt, id));
  }
  for (const events of out.values()) events.sort((a, b) => a.tMs - b.tMs);
  return out;
}

/** The first client call after the fault, within the window, that the kernel failed. */
export function firstFailure(
  events: SocketEvent[],
  windowMs: number,
  side: SocketEvent["side"] = "client",
): FirstFailure | null {
  const hit = events.find(
    (e) => e.side === side && e.tMs >= 0 && e.tMs <= windowMs && isFailure(e.call, e.result),
  );
  return hit ? { call: hit.call, result: hit.result, afterMs: hit.tMs } : null;
}

/** Server process events that belong to no connection (signals), for the report's steps. */
export function processEvents(raw: RawEvent[], faultAt: number): SocketEvent[] {
  return raw
    .filter((e) => e.side === "server" && e.conn === "process")
    .map((e) => toEvent(e, faultAt));
}

/** ":40312" for "198.51.100.2:40312": what a NAT keeps of the client's address. */
function portOf(address: string): string {
  return address.slice(address.lastIndexOf(":"));
}

/** 0.1 ms precision, without letting an event before the fault round up to "at" the fault. */
function roundBeforeFault(ms: number): number {
  const rounded = Math.round(ms * 10) / 10;
  return ms < 0 && rounded >= 0 ? -0.1 : rounded;
}
