// What an in-path firewall needs to reset a connection from the middle: it follows every TCP
// segment it forwards and remembers, per direction, the next sequence number that end will
// send; to reset a flow it forges one RST to each end, as if from the other, carrying exactly
// the sequence number its receiver expects (Linux drops a RST whose sequence number is not
// rcv_nxt and answers an in-window one with a challenge ACK, RFC 5961). Pure: IPv4 packets in,
// IPv4 packets out; the sockets that see and send them live elsewhere.

export interface Segment {
  src: string;
  sport: number;
  dst: string;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  /** Sequence space the segment takes: payload bytes, +1 for SYN, +1 for FIN. */
  length: number;
}

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

const IPPROTO_TCP = 6;

/** One IPv4 packet (no link header) as a TCP segment, or null when it is not TCP over IPv4. */
export function parseSegment(packet: Buffer): Segment | null {
  if (packet.length < 40 || packet[0] >> 4 !== 4 || packet[9] !== IPPROTO_TCP) return null;
  const ihl = (packet[0] & 0x0f) * 4;
  const total = packet.readUInt16BE(2);
  const tcp = packet.subarray(ihl);
  if (tcp.length < 20) return null;
  const offset = (tcp[12] >> 4) * 4;
  const flags = tcp[13];
  const syn = flags & TCP_SYN ? 1 : 0;
  const fin = flags & TCP_FIN ? 1 : 0;
  return {
    src: ipv4(packet, 12),
    dst: ipv4(packet, 16),
    sport: tcp.readUInt16BE(0),
    dport: tcp.readUInt16BE(2),
    seq: tcp.readUInt32BE(4),
    ack: tcp.readUInt32BE(8),
    flags,
    length: total - ihl - offset + syn + fin,
  };
}

const key = (src: string, sport: number, dst: string, dport: number) =>
  `${src}:${sport}>${dst}:${dport}`;

/** Each direction's next sequence number, from the segments seen so far. */
export class FlowTable {
  private readonly next = new Map<string, number>();

  see(s: Segment): void {
    const here = key(s.src, s.sport, s.dst, s.dport);
    if (s.flags & TCP_RST) {
      this.next.delete(here);
      this.next.delete(key(s.dst, s.dport, s.src, s.sport));
      return;
    }
    const end = (s.seq + s.length) >>> 0;
    const known = this.next.get(here);
    // Keep the furthest point (modulo 2^32): a retransmission must not move it back.
    if (known === undefined || ((end - known) | 0) > 0) this.next.set(here, end);
  }

  /**
   * The two RSTs that end every flow whose client side is in `clientPrefix` and whose both
   * directions have been seen: one to the client (as from the server), one to the server.
   */
  resets(clientPrefix: string): Buffer[] {
    const out: Buffer[] = [];
    for (const [k, clientNext] of this.next) {
      const [from, to] = k.split(">");
      if (!from.startsWith(clientPrefix)) continue;
      const serverNext = this.next.get(`${to}>${from}`);
      if (serverNext === undefined) continue;
      const [client, cport] = splitEndpoint(from);
      const [server, sport] = splitEndpoint(to);
      out.push(rstPacket(server, sport, client, cport, serverNext, clientNext));
      out.push(rstPacket(client, cport, server, sport, clientNext, serverNext));
    }
    return out;
  }
}

function splitEndpoint(endpoint: string): [string, number] {
  const at = endpoint.lastIndexOf(":");
  return [endpoint.slice(0, at), Number(endpoint.slice(at + 1))];
}

/** An IPv4 RST|ACK segment from src to dst with the given sequence and acknowledgment. */
export function rstPacket(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  seq: number,
  ack: number,
): Buffer {
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(sport, 0);
  tcp.writeUInt16BE(dport, 2);
  tcp.writeUInt32BE(seq >>> 0, 4);
  tcp.writeUInt32BE(ack >>> 0, 8);
  tcp[12] = 5 << 4;
  tcp[13] = TCP_RST | TCP_ACK;
  const pseudo = Buffer.concat([addr(src), addr(dst), Buffer.from([0, IPPROTO_TCP, 0, 20])]);
  tcp.writeUInt16BE(checksum(Buffer.concat([pseudo, tcp])), 16);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(40, 2);
  ip.writeUInt16BE(0x4000, 6); // don't fragment
  ip[8] = 64;
  ip[9] = IPPROTO_TCP;
  addr(src).copy(ip, 12);
  addr(dst).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ip, tcp]);
}

/** The Internet checksum (RFC 1071). */
export function checksum(data: Buffer): number {
  let sum = 0;
  for (let i = 0; i < data.length; i += 2) {
    sum += (data[i] << 8) | (i + 1 < data.length ? data[i + 1] : 0);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function addr(ip: string): Buffer {
  return Buffer.from(ip.split(".").map(Number));
}

function ipv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}
