// Says what each TCP packet is, from the packets alone, the way one reads a trace: the
// handshake, data and ACKs, FIN and RST, and the kernel's timers at work: a keepalive probe
// (an empty or one-byte segment at snd_una - 1 while the peer's window is open), a window
// probe (the same at a zero window), the tail loss probe (the first resend of a flight, of its
// last segment or within the 200 ms minimum RTO), retransmission #k (resends from snd_una, k
// counted from the last ACK that moved snd_una), SYN retransmissions, zero-window adverts,
// and ICMP errors tied to the connection whose segment they quote. Pure: no clock, no I/O.
import type { DecodedPacket, TcpFlag } from "./decode.js";

/** A decoded packet on the calls' clock (ms since the fault); where it was captured is left out. */
export type LabelInput = Omit<DecodedPacket, "outgoing" | "ifindex"> & { tMs: number };

/** A watched connection, to name the packets that belong to it. */
export interface ConnectionEnds {
  id: string;
  client: { ip: string; port: number };
  server: { ip: string; port: number };
}

export type PacketKind =
  | "syn"
  | "syn-ack"
  | "ack"
  | "data"
  | "fin"
  | "rst"
  | "keepalive-probe"
  | "window-probe"
  | "zero-window"
  | "tail-loss-probe"
  | "retransmission"
  | "icmp-unreachable"
  | "icmp"
  | "other";

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

interface Direction {
  isn?: number;
  /** Highest sequence number sent + 1. */
  nxt?: number;
  /** Highest ack the peer sent (our snd_una). */
  una?: number;
  /** Window the peer advertised last. */
  peerWin?: number;
  /** Resends since snd_una last moved (the tail loss probe is not counted). */
  resends: number;
  /** Whether this episode (since snd_una last moved) has had its first resend. */
  resent: boolean;
  lastSendMs?: number;
  synSends: number;
}

interface Flow {
  name: string;
  dirs: Map<string, Direction>;
  client?: string;
}

const MIN_RTO_MS = 200;
const u32 = (n: number) => n >>> 0;
/** a - b in 32-bit sequence space. */
const diff = (a: number, b: number) => (u32(a - b) << 0) | 0;

export function labelPackets(
  packets: LabelInput[],
  connections: ConnectionEnds[] = [],
): LabelledPacket[] {
  const flows = new Map<string, Flow>();
  const named = new Map<string, ConnectionEnds>();
  for (const c of connections)
    named.set(flowKey(c.client.ip, c.client.port, c.server.ip, c.server.port), c);
  const flowOf = (a: string, ap: number, b: string, bp: number) => {
    const key = flowKey(a, ap, b, bp);
    let flow = flows.get(key);
    if (!flow) {
      const conn = named.get(key);
      flow = { name: conn?.id ?? key, dirs: new Map() };
      if (conn) flow.client = `${conn.client.ip}:${conn.client.port}`;
      flows.set(key, flow);
    }
    return flow;
  };
  return packets.map((p) => {
    if (p.proto === "icmp") return labelIcmp(p, flowOf, flows);
    if (p.proto !== "tcp" || p.sport === undefined || p.dport === undefined)
      return { ...p, kind: "other", label: p.proto };
    const flow = flowOf(p.src, p.sport, p.dst, p.dport);
    return labelTcp(p, flow);
  });
}

function labelIcmp(
  p: LabelInput,
  flowOf: (a: string, ap: number, b: string, bp: number) => Flow,
  flows: Map<string, Flow>,
): LabelledPacket {
  const what = p.icmp?.what;
  if (!p.icmp || !what) return { ...p, kind: "icmp", label: "ICMP" };
  const kind: PacketKind = what.endsWith("unreachable") ? "icmp-unreachable" : "icmp";
  const label = `ICMP ${what.replace(/-/g, " ")}`;
  const inner = p.icmp.inner;
  if (!inner) return { ...p, kind, label, from: "router" };
  const known = flows.has(flowKey(inner.src, inner.sport, inner.dst, inner.dport));
  const flow = flowOf(inner.src, inner.sport, inner.dst, inner.dport);
  return {
    ...p,
    kind,
    label,
    from: "router",
    ...(known || flow.client ? { conn: flow.name } : {}),
  };
}

function labelTcp(p: LabelInput, flow: Flow): LabelledPacket {
  const me = `${p.src}:${p.sport}`;
  const peer = `${p.dst}:${p.dport}`;
  const d = dir(flow, me);
  const o = dir(flow, peer);
  const seq = p.seq ?? 0;
  const ack = p.ack ?? 0;
  const has = (f: TcpFlag) => p.flags.includes(f);
  if (has("SYN") && !has("ACK") && !flow.client) flow.client = me;
  const from: LabelledPacket["from"] = flow.client
    ? flow.client === me
      ? "client"
      : "server"
    : undefined;
  const out = (kind: PacketKind, label: string, extra: Partial<LabelledPacket> = {}) => {
    const rel: Partial<LabelledPacket> = {};
    if (d.isn !== undefined) rel.relSeq = u32(seq - d.isn);
    if (has("ACK") && o.isn !== undefined) rel.relAck = u32(ack - o.isn);
    return { ...p, kind, label, conn: flow.name, ...(from ? { from } : {}), ...rel, ...extra };
  };

  // What the peer learns from this packet: our ack moves its snd_una, our window its view.
  if (has("ACK")) {
    if (o.una === undefined || diff(ack, o.una) > 0) {
      o.una = ack;
      o.resends = 0;
      o.resent = false;
    }
    o.peerWin = p.win;
  }

  if (has("SYN")) {
    const resent = d.isn === seq;
    d.isn = seq;
    d.nxt = u32(seq + 1);
    d.synSends++;
    const kind = has("ACK") ? "syn-ack" : "syn";
    const name = has("ACK") ? "SYN-ACK" : "SYN";
    d.lastSendMs = p.tMs;
    if (resent) {
      const k = d.synSends - 1;
      return out(kind, `${name} retransmission #${k}`, { retransmission: k });
    }
    return out(kind, name);
  }
  if (has("RST")) return out("rst", "RST");

  const span = p.len + (has("FIN") ? 1 : 0);
  if (d.isn === undefined) d.isn = u32(seq - 1);
  const end = u32(seq + span);
  const isNew = d.nxt === undefined || diff(end, d.nxt) > 0;
  const sinceLast = d.lastSendMs === undefined ? Infinity : p.tMs - d.lastSendMs;

  // A probe: at snd_una - 1, empty or one byte, nothing new.
  if (d.una !== undefined && p.len <= 1 && !has("FIN") && seq === u32(d.una - 1)) {
    d.lastSendMs = p.tMs;
    if (d.peerWin === 0) return out("window-probe", "window probe");
    return out("keepalive-probe", "keepalive probe");
  }
  if (span > 0 && !isNew) {
    // A resend. The first one of an episode is a tail loss probe when it resends the last
    // segment (not snd_una) or comes before the minimum RTO could have expired.
    const first = !d.resent;
    d.resent = true;
    d.lastSendMs = p.tMs;
    const fromUna = d.una === undefined || seq === d.una;
    if (first && (!fromUna || sinceLast < MIN_RTO_MS))
      return out("tail-loss-probe", "tail loss probe");
    d.resends++;
    return out("retransmission", `retransmission #${d.resends}`, { retransmission: d.resends });
  }
  if (span > 0) {
    d.nxt = end;
    d.lastSendMs = p.tMs;
    if (has("FIN")) return out("fin", p.len > 0 ? `FIN with ${p.len} B` : "FIN");
    return out("data", `data ${p.len} B`);
  }
  if (p.win === 0) return out("zero-window", "zero window");
  return out("ack", "ACK");
}

function dir(flow: Flow, end: string): Direction {
  let d = flow.dirs.get(end);
  if (!d) {
    d = { resends: 0, resent: false, synSends: 0 };
    flow.dirs.set(end, d);
  }
  return d;
}

function flowKey(a: string, ap: number, b: string, bp: number): string {
  const x = `${a}:${ap}`;
  const y = `${b}:${bp}`;
  return x < y ? `${x}-${y}` : `${y}-${x}`;
}
