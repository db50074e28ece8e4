// Builds Linux cooked v2 (SLL2) frames with IPv4/IPv6 TCP and ICMP for the wire unit tests,
// the way `tcpdump -i any` records them. Checksums are left zero (nothing here verifies them).

export interface TcpSpec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  flags: number;
  seq: number;
  ack: number;
  payload?: number;
  win?: number;
  outgoing?: boolean;
}

function sll2(ethertype: number, outgoing: boolean): Buffer {
  const h = Buffer.alloc(20);
  h.writeUInt16BE(ethertype, 0);
  h.writeUInt32BE(3, 4);
  h.writeUInt16BE(1, 8);
  h[10] = outgoing ? 4 : 0;
  h[11] = 6;
  return h;
}

function v4(addr: string): Buffer {
  return Buffer.from(addr.split(".").map(Number));
}

function tcpHeader(s: TcpSpec): Buffer {
  const t = Buffer.alloc(20);
  t.writeUInt16BE(s.sport, 0);
  t.writeUInt16BE(s.dport, 2);
  t.writeUInt32BE(s.seq >>> 0, 4);
  t.writeUInt32BE(s.ack >>> 0, 8);
  t[12] = 5 << 4;
  t[13] = s.flags;
  t.writeUInt16BE(s.win ?? 502, 14);
  return t;
}

export function ipv4Tcp(s: TcpSpec): Buffer {
  const payload = Buffer.alloc(s.payload ?? 0, 0x61);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + 20 + payload.length, 2);
  ip[8] = 64;
  ip[9] = 6;
  v4(s.src).copy(ip, 12);
  v4(s.dst).copy(ip, 16);
  return Buffer.concat([sll2(0x0800, s.outgoing ?? false), ip, tcpHeader(s), payload]);
}

/** ICMP host unreachable from `router` about the TCP segment `about` (quoting 28 bytes). */
export function ipv4IcmpUnreachable(router: string, about: TcpSpec, code = 1): Buffer {
  const quoted = ipv4Tcp(about).subarray(20, 20 + 28);
  const icmp = Buffer.concat([Buffer.from([3, code, 0, 0, 0, 0, 0, 0]), quoted]);
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + icmp.length, 2);
  ip[8] = 64;
  ip[9] = 1;
  v4(router).copy(ip, 12);
  v4(about.src).copy(ip, 16);
  return Buffer.concat([sll2(0x0800, true), ip, icmp]);
}

export function ipv6Tcp(src: Buffer, dst: Buffer, s: TcpSpec): Buffer {
  const ip = Buffer.alloc(40);
  ip[0] = 0x60;
  ip.writeUInt16BE(20 + (s.payload ?? 0), 4);
  ip[6] = 6;
  ip[7] = 64;
  src.copy(ip, 8);
  dst.copy(ip, 24);
  return Buffer.concat([sll2(0x86dd, false), ip, tcpHeader(s), Buffer.alloc(s.payload ?? 0)]);
}
