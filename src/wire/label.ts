// Says what each TCP packet is, from the packets alone, the way one reads a trace: the
// handshake, data and ACKs, FIN and RST, and the kernel's timers at work: a keepalive probe
// (an empty or one-byte segment at snd_una - 1 while the peer's window is open), a window
// probe (the same at a zero window), the tail loss probe (the first resend of a flight, of its
// last segment or within the 200 ms minimum RTO), retransmission #k (resends from snd_una, k
// counted from the last ACK that moved snd_una), SYN retransmissions, zero-window adverts,
// and ICMP errors tied to the connection whose segment they quote (the TCP state machine is
// src/wire/tcp-state.ts). Pure: no clock, no I/O.
import type { DecodedPacket } from "./decode.js";
import type { PacketKind } from "./packet-kind.js";
import {
  type Classified,
  classifyTcp,
  type Flow,
  newFlow,
  relativeNumbers,
  tcpLabel,
} from "./tcp-state.js";

/** A decoded packet on the calls' clock (ms since the fault); where it was captured is left out. */
export type LabelInput = Omit<DecodedPacket, "outgoing" | "ifindex"> & { tMs: number };

/** A watched connection, to name the packets that belong to it. */
export interface ConnectionEnds {
  id: string;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
}

export type { PacketKind };

export interface LabelledPacket extends LabelInput {
  kind: PacketKind;
  /** Human label: "keepalive probe", "retransmission #2", "ICMP host unreachable", ... */
  label: string;
  /** The k of retransmission #k (also for a resent SYN or SYN-ACK). */
  retransmission?: number;
  /** The connection's id (from `connections`) or "ip:port-ip:port". */
  conn?: string;
  /** Who sent it: the connection's client or server, or the router (ICMP). */
  from?: "client" | "server" | "router";
  /** Sequence and ack numbers relative to each side's initial sequence number (ISN + 1 = 1). */
  relSeq?: number;
  relAck?: number;
}

export function labelPackets(
  packets: LabelInput[],
  connections: ConnectionEnds[] = [],
): LabelledPacket[] {
  const labeller = new Labeller(connections);
  return packets.map((p) => labeller.label(p));
}

/**
 * Labels packets one at a time, in the order they were captured: what labelPackets does; or
 * only says what kind each is (kindOf), for a capture that counts its packets as they come.
 */
export class Labeller {
  private readonly flows = new Map<string, Flow>();
  private readonly named = new Map<string, ConnectionEnds>();

  constructor(connections: ConnectionEnds[] = []) {
    for (const c of connections)
      this.named.set(flowKey(end(c.client.ip, c.client.port), end(c.server.ip, c.server.port)), c);
  }

  label(p: LabelInput): LabelledPacket {
    if (p.proto === "icmp") return this.labelIcmp(p);
    if (p.proto !== "tcp" || p.sport === undefined || p.dport === undefined)
      return { ...p, kind: "other", label: p.proto };
    const me = end(p.src, p.sport);
    const peer = end(p.dst, p.dport);
    const flow = this.flowOf(me, peer);
    const c: Classified = classifyTcp(p, p.tMs, flow, me, peer);
    const from = flow.client ? (flow.client === me ? "client" : "server") : undefined;
    return {
      ...p,
      kind: c.kind,
      label: tcpLabel(c, p),
      conn: flow.name,
      ...(from ? { from } : {}),
      ...relativeNumbers(p, flow, me, peer),
      ...(c.retransmission === undefined ? {} : { retransmission: c.retransmission }),
    };
  }

  /** The packet's kind alone (the same as label's), moving the flows on just as label does. */
  kindOf(p: Omit<LabelInput, "tMs">, tMs: number): PacketKind {
    if (p.proto === "icmp") return icmpKind(p);
    if (p.proto !== "tcp" || p.sport === undefined || p.dport === undefined) return "other";
    const me = end(p.src, p.sport);
    const peer = end(p.dst, p.dport);
    return classifyTcp(p, tMs, this.flowOf(me, peer), me, peer).kind;
  }

  private flowOf(me: string, peer: string): Flow {
    const key = flowKey(me, peer);
    let flow = this.flows.get(key);
    if (!flow) {
      const conn = this.named.get(key);
      flow = newFlow(conn?.id ?? key, conn && end(conn.client.ip, conn.client.port));
      this.flows.set(key, flow);
    }
    return flow;
  }

  private labelIcmp(p: LabelInput): LabelledPacket {
    const kind = icmpKind(p);
    const what = p.icmp?.what;
    if (!p.icmp || !what) return { ...p, kind, label: "ICMP" };
    const label = `ICMP ${what.replace(/-/g, " ")}`;
    const inner = p.icmp.inner;
    if (!inner) return { ...p, kind, label, from: "router" };
    const me = end(inner.src, inner.sport);
    const peer = end(inner.dst, inner.dport);
    const known = this.flows.has(flowKey(me, peer));
    const flow = this.flowOf(me, peer);
    return {
      ...p,
      kind,
      label,
      from: "router",
      ...(known || flow.client ? { conn: flow.name } : {}),
    };
  }
}

function icmpKind(p: Pick<LabelInput, "icmp">): PacketKind {
  const what = p.icmp?.what;
  if (!what) return "icmp";
  return what.endsWith("unreachable") ? "icmp-unreachable" : "icmp";
}

function end(ip: string, port: number): string {
  return `${ip}:${port}`;
}

function flowKey(x: string, y: string): string {
  return x < y ? `${x}-${y}` : `${y}-${x}`;
}
