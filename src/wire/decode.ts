// Decodes one captured frame into the few fields a TCP story needs: addresses, ports, flags,
// sequence numbers, payload length, window, and for ICMP errors the connection the error is
// about (the inner 4-tuple quoted from the offending segment). IPv4 and IPv6, in the frames the
// capture reads (packet-socket.ts): Linux cooked v2, as `tcpdump -i any` writes them.

/** The frames' link type in a pcapng file: Linux cooked v2. */
export const LINKTYPE_LINUX_SLL2 = 276;
/** A cooked v2 header's length: protocol, reserved, ifindex, ARPHRD type, packet type, address
 * length, address (8 bytes). */
export const SLL2_HEADER = 20;
/** Linux packet type of a frame the host itself sent (sll_pkttype). */
export const PACKET_OUTGOING = 4;

export type TcpFlag = "SYN" | "ACK" | "FIN" | "RST" | "PSH" | "URG";

export interface IcmpError {
  /** "host-unreachable", "net-unreachable", "port-unreachable", "admin-prohibited", ... */
  what: string;
  type: number;
  code: number;
  /** The segment the error is about, as quoted inside the ICMP message. */
  inner?: { src: string; dst: string; sport: number; dport: number; seq: number };
}

export interface DecodedPacket {
  src: string;
  dst: string;
  proto: "tcp" | "icmp" | "other";
  sport?: number;
  dport?: number;
  flags: TcpFlag[];
  seq?: number;
  ack?: number;
  /** TCP payload bytes (from the IP length, so right even when the capture was snapped). */
  len: number;
  win?: number;
  icmp?: IcmpError;
  /** Sent by the capturing host itself (cooked captures only). */
  outgoing: boolean;
  ifindex?: number;
}

const FLAG_BITS: [number, TcpFlag][] = [
  [0x02, "SYN"],
  [0x10, "ACK"],
  [0x01, "FIN"],
  [0x04, "RST"],
  [0x08, "PSH"],
  [0x20, "URG"],
];

/** Where a frame's IP header starts, and what its cooked v2 header says; null when not IP. */
interface LinkLayer {
  off: number;
  ethertype: number;
  outgoing: boolean;
  ifindex: number;
}

function linkLayer(data: Buffer): LinkLayer | null {
  if (data.length < SLL2_HEADER) return null;
  const outgoing = data[10] === PACKET_OUTGOING;
  return {
    off: SLL2_HEADER,
    ethertype: data.readUInt16BE(0),
    outgoing,
    ifindex: data.readUInt32BE(4),
  };
}

/** Decode a frame; null when it is not IPv4/IPv6 or too short to read. */
export function decodeFrame(data: Buffer): DecodedPacket | null {
  const link = linkLayer(data);
  if (!link) return null;
  const ip = decodeIp(link.ethertype, data, link.off);
  if (!ip) return null;
  const packet = ip as DecodedPacket;
  packet.outgoing = link.outgoing;
  packet.ifindex = link.ifindex;
  return packet;
}

/**
 * The source address of a frame the capturing host sent, read without decoding the rest;
 * null for a frame it received, or one decodeFrame would not decode.
 */
export function sentFrom(data: Buffer): string | null {
  const link = linkLayer(data);
  if (!link?.outgoing) return null;
  const { ethertype, off } = link;
  if (ethertype === 0x0800) return data.length < off + 20 ? null : ipv4(data, off + 12);
  if (ethertype === 0x86dd) return data.length < off + 40 ? null : ipv6(data, off + 8);
  return null;
}

/** decodeIp's result, before decodeFrame adds what the link layer says. */
type IpPart = Omit<DecodedPacket, "outgoing" | "ifindex"> & Partial<DecodedPacket>;

function decodeIp(ethertype: number, d: Buffer, off: number): IpPart | null {
  let src: string;
  let dst: string;
  let proto: number;
  let payloadOff: number;
  let payloadLen: number;
  if (ethertype === 0x0800) {
    if (d.length < off + 20) return null;
    const ihl = (d[off] & 0x0f) * 4;
    proto = d[off + 9];
    src = ipv4(d, off + 12);
    dst = ipv4(d, off + 16);
    payloadOff = off + ihl;
    payloadLen = d.readUInt16BE(off + 2) - ihl;
  } else if (ethertype === 0x86dd) {
    if (d.length < off + 40) return null;
    proto = d[off + 6];
    src = ipv6(d, off + 8);
    dst = ipv6(d, off + 24);
    payloadOff = off + 40;
    payloadLen = d.readUInt16BE(off + 4);
  } else return null;
  // one object per packet, its keys in the order they always had
  if (proto === 6 && d.length >= payloadOff + 20) {
    const dataOff = (d[payloadOff + 12] >> 4) * 4;
    return {
      src,
      dst,
      flags: tcpFlags(d[payloadOff + 13]),
      len: Math.max(0, payloadLen - dataOff),
      proto: "tcp",
      sport: d.readUInt16BE(payloadOff),
      dport: d.readUInt16BE(payloadOff + 2),
      seq: d.readUInt32BE(payloadOff + 4),
      ack: d.readUInt32BE(payloadOff + 8),
      win: d.readUInt16BE(payloadOff + 14),
    };
  }
  if ((proto === 1 || proto === 58) && d.length >= payloadOff + 8) {
    const icmp = decodeIcmp(proto === 58, d, payloadOff);
    return { src, dst, flags: [], len: 0, proto: "icmp", ...(icmp ? { icmp } : {}) };
  }
  return { src, dst, flags: [], len: 0, proto: "other" };
}

function tcpFlags(bits: number): TcpFlag[] {
  const flags: TcpFlag[] = [];
  for (const [bit, name] of FLAG_BITS) if (bits & bit) flags.push(name);
  return flags;
}

function decodeIcmp(v6: boolean, d: Buffer, off: number): IcmpError | undefined {
  const type = d[off];
  const code = d[off + 1];
  const what = icmpWhat(v6, type, code);
  if (!what) return undefined;
  const inner = decodeIp(v6 ? 0x86dd : 0x0800, quoteWithTcpHeader(d, off + 8), 0);
  const quoted =
    inner && inner.sport !== undefined
      ? {
          src: inner.src,
          dst: inner.dst,
          sport: inner.sport,
          dport: inner.dport ?? 0,
          seq: inner.seq ?? 0,
        }
      : undefined;
  return { what, type, code, ...(quoted ? { inner: quoted } : {}) };
}

/** The quoted datagram, padded so that a TCP header cut after 8 bytes still reads its ports. */
function quoteWithTcpHeader(d: Buffer, off: number): Buffer {
  const quoted = d.subarray(off);
  return Buffer.concat([quoted, Buffer.alloc(40)]);
}

function icmpWhat(v6: boolean, type: number, code: number): string | null {
  if (!v6 && type === 3) {
    const names: Record<number, string> = {
      0: "net-unreachable",
      1: "host-unreachable",
      3: "port-unreachable",
      4: "frag-needed",
      9: "net-prohibited",
      10: "host-prohibited",
      13: "admin-prohibited",
    };
    return names[code] ?? `unreachable-${code}`;
  }
  if (v6 && type === 1) {
    const names: Record<number, string> = {
      0: "net-unreachable",
      1: "admin-prohibited",
      3: "host-unreachable",
      4: "port-unreachable",
    };
    return names[code] ?? `unreachable-${code}`;
  }
  if (v6 && type === 2) return "packet-too-big";
  if ((!v6 && type === 11) || (v6 && type === 3)) return "time-exceeded";
  return null;
}

function ipv4(d: Buffer, off: number): string {
  return `${d[off]}.${d[off + 1]}.${d[off + 2]}.${d[off + 3]}`;
}

/** IPv6 text form (RFC 5952: lower case, longest zero run of two or more groups as ::). */
export function ipv6(d: Buffer, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(d.readUInt16BE(off + i * 2));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}
