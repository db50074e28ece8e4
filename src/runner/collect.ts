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
export function peerMap(raw: readonly RawEvent[]): Map<string, string> {
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
  const found = new ConnectionTimelines(raw, faultAt, ids);
  return new Map(ids.map((id) => [id, found.events(id)]));
}

/**
 * Which client connection each event belongs to, worked out once; a connection's events are
 * built (as SocketEvents, both sides, in time order) each time they are asked for, so that a
 * run of 10,000 connections need not hold all of them at once.
 */
export class ConnectionTimelines {
  private readonly positions = new Map<string, number>();
  /** Where each connection's run of `order` starts (one more entry: the end). */
  private readonly starts: Int32Array;
  /** Indices into the events, grouped by connection, in the order the events came. */
  private readonly order: Int32Array;

  constructor(
    private readonly raw: RawEvent[],
    private readonly faultAt: number,
    ids: string[],
  ) {
    for (const id of ids) if (!this.positions.has(id)) this.positions.set(id, this.positions.size);
    const peers = peerMap(raw);
    const owners = new Int32Array(raw.length).fill(-1);
    const counts = new Int32Array(this.positions.size + 1);
    let index = 0;
    for (const e of raw) {
      // Server events name the peer's address, or (an adopted socket, --observer server) the id.
      const id =
        e.side === "client"
          ? e.conn
          : (peers.get(e.conn) ??
            (this.positions.has(e.conn) ? e.conn : undefined) ??
            peers.get(portOf(e.conn)));
      const position = id === undefined ? undefined : this.positions.get(id);
      if (position !== undefined) {
        owners[index] = position;
        counts[position + 1]++;
      }
      index++;
    }
    for (let p = 1; p < counts.length; p++) counts[p] += counts[p - 1];
    this.starts = counts.slice();
    this.order = new Int32Array(counts[counts.length - 1]);
    owners.forEach((owner, i) => {
      if (owner >= 0) this.order[counts[owner]++] = i;
    });
  }

  /** The connection's events, both sides, in time order ([] for an id it does not know). */
  events(id: string): SocketEvent[] {
    const position = this.positions.get(id);
    if (position === undefined) return [];
    const out: SocketEvent[] = [];
    for (let k = this.starts[position]; k < this.starts[position + 1]; k++) {
      out.push(toEvent(this.raw[this.order[k]], this.faultAt, id));
    }
    return out.sort((a, b) => a.tMs - b.tMs);
  }
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
