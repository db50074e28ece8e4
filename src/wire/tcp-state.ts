// The TCP side of labelling (src/wire/label.ts): each direction's sequence space as the
// packets show it, and what a segment is in it (the handshake, data and ACKs, FIN and RST,
// probes at snd_una - 1, the tail loss probe, retransmission #k counted from the last ACK that
// moved snd_una). Pure: no clock, no I/O; it allocates next to nothing per packet, so that a
// capture of ~100,000 packets can be counted as it comes.
import type { DecodedPacket, TcpFlag } from "./decode.js";
import type { PacketKind } from "./packet-kind.js";

/** The fields of a TCP segment the state machine reads. */
export type TcpSegment = Pick<DecodedPacket, "flags" | "seq" | "ack" | "len" | "win">;

interface Direction {
  isn: number | undefined;
  /** Highest sequence number sent + 1. */
  nxt: number | undefined;
  /** Highest ack the peer sent (our snd_una). */
  una: number | undefined;
  /** Window the peer advertised last. */
  peerWin: number | undefined;
  /** Resends since snd_una last moved (the tail loss probe is not counted). */
  resends: number;
  /** Whether this episode (since snd_una last moved) has had its first resend. */
  resent: boolean;
  lastSendMs: number | undefined;
  synSends: number;
}

/** Both directions of one 4-tuple; each direction is named by the end that sends it. */
export interface Flow {
  name: string;
  /** The client's end ("ip:port"), once known. */
  client: string | undefined;
  /** The end seen first, and the directions sent by it and by the other end. */
  firstEnd: string | undefined;
  first: Direction | undefined;
  second: Direction | undefined;
}

/** A flow with nothing seen yet (every field set, so that 20,000 of them stay compact). */
export function newFlow(name: string, client?: string): Flow {
  return { name, client, firstEnd: undefined, first: undefined, second: undefined };
}

/** What a segment is; `retransmission` is the k of retransmission #k (also a resent SYN's). */
export interface Classified {
  kind: PacketKind;
  retransmission?: number;
}

const MIN_RTO_MS = 200;
export const u32 = (n: number) => n >>> 0;
/** a - b in 32-bit sequence space. */
const diff = (a: number, b: number) => (u32(a - b) << 0) | 0;

const has = (p: TcpSegment, f: TcpFlag) => p.flags.includes(f);

/** Classify a segment from `me` to `peer` ("ip:port") sent at tMs, and move the flow on. */
export function classifyTcp(
  p: TcpSegment,
  tMs: number,
  flow: Flow,
  me: string,
  peer: string,
): Classified {
  const d = dir(flow, me);
  const o = dir(flow, peer);
  const seq = p.seq ?? 0;
  const ack = p.ack ?? 0;
  if (has(p, "SYN") && !has(p, "ACK") && !flow.client) flow.client = me;

  // What the peer learns from this packet: our ack moves its snd_una, our window its view.
  if (has(p, "ACK")) {
    if (o.una === undefined || diff(ack, o.una) > 0) {
      o.una = ack;
      o.resends = 0;
      o.resent = false;
    }
    o.peerWin = p.win;
  }

  if (has(p, "SYN")) {
    const resent = d.isn === seq;
    d.isn = seq;
    d.nxt = u32(seq + 1);
    d.synSends++;
    const kind = has(p, "ACK") ? "syn-ack" : "syn";
    d.lastSendMs = tMs;
    return resent ? { kind, retransmission: d.synSends - 1 } : { kind };
  }
  if (has(p, "RST")) return { kind: "rst" };

  const span = p.len + (has(p, "FIN") ? 1 : 0);
  if (d.isn === undefined) d.isn = u32(seq - 1);
  const end = u32(seq + span);
  const isNew = d.nxt === undefined || diff(end, d.nxt) > 0;
  const sinceLast = d.lastSendMs === undefined ? Infinity : tMs - d.lastSendMs;

  // A probe: at snd_una - 1, empty or one byte, nothing new.
  if (d.una !== undefined && p.len <= 1 && !has(p, "FIN") && seq === u32(d.una - 1)) {
    d.lastSendMs = tMs;
    return { kind: d.peerWin === 0 ? "window-probe" : "keepalive-probe" };
  }
  if (span > 0 && !isNew) {
    // A resend. The first one of an episode is a tail loss probe when it resends the last
    // segment (not snd_una) or comes before the minimum RTO could have expired.
    const first = !d.resent;
    d.resent = true;
    d.lastSendMs = tMs;
    const fromUna = d.una === undefined || seq === d.una;
    if (first && (!fromUna || sinceLast < MIN_RTO_MS)) return { kind: "tail-loss-probe" };
    d.resends++;
    return { kind: "retransmission", retransmission: d.resends };
  }
  if (span > 0) {
    d.nxt = end;
    d.lastSendMs = tMs;
    return { kind: has(p, "FIN") ? "fin" : "data" };
  }
  return { kind: p.win === 0 ? "zero-window" : "ack" };
}

/** The human label of a classified segment: "SYN retransmission #1", "data 100 B", ... */
export function tcpLabel(c: Classified, p: TcpSegment): string {
  switch (c.kind) {
    case "syn":
    case "syn-ack": {
      const name = c.kind === "syn" ? "SYN" : "SYN-ACK";
      return c.retransmission === undefined ? name : `${name} retransmission #${c.retransmission}`;
    }
    case "rst":
      return "RST";
    case "window-probe":
      return "window probe";
    case "keepalive-probe":
      return "keepalive probe";
    case "tail-loss-probe":
      return "tail loss probe";
    case "retransmission":
      return `retransmission #${c.retransmission}`;
    case "fin":
      return p.len > 0 ? `FIN with ${p.len} B` : "FIN";
    case "data":
      return `data ${p.len} B`;
    case "zero-window":
      return "zero window";
    default:
      return "ACK";
  }
}

/** Sequence and ack numbers relative to each side's ISN, as they stand after `classifyTcp`. */
export function relativeNumbers(
  p: TcpSegment,
  flow: Flow,
  me: string,
  peer: string,
): { relSeq?: number; relAck?: number } {
  const rel: { relSeq?: number; relAck?: number } = {};
  const isn = dir(flow, me).isn;
  const peerIsn = dir(flow, peer).isn;
  if (isn !== undefined) rel.relSeq = u32((p.seq ?? 0) - isn);
  if (has(p, "ACK") && peerIsn !== undefined) rel.relAck = u32((p.ack ?? 0) - peerIsn);
  return rel;
}

function dir(flow: Flow, end: string): Direction {
  if (flow.firstEnd === undefined) flow.firstEnd = end;
  if (end === flow.firstEnd) {
    flow.first ??= newDirection();
    return flow.first;
  }
  flow.second ??= newDirection();
  return flow.second;
}

function newDirection(): Direction {
  return {
    isn: undefined,
    nxt: undefined,
    una: undefined,
    peerWin: undefined,
    resends: 0,
    resent: false,
    lastSendMs: undefined,
    synSends: 0,
  };
}
