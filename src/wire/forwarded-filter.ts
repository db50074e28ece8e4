// The capture's socket filter: a forwarded packet passes the router twice, arriving on one link
// and leaving on the other, and the capture keeps only the arriving copy (capture.ts). This
// classic BPF program (the kind `tcpdump`'s expressions compile to) drops the leaving copy in
// the kernel, before it is queued on the socket and charged to its buffer: under a bulk
// transfer that is half of all frames, each a large segment (~64 KiB with GSO). A leaving
// frame is kept when it is the router's own: sent from one of its addresses (ICMP errors, a
// NAT's rewritten segments), from an IPv6 link-local address (neighbour discovery), or not IP
// at all (ARP). capture.ts applies the same rule to what reaches it.
//
// On a SOCK_DGRAM packet socket the filter sees each packet from its network header on, in
// both directions; the packet's direction and protocol come from the kernel's ancillary loads.
import { addressBytes } from "../agent/libc.js";

const BPF_LD_W_ABS = 0x20;
const BPF_LD_H_ABS = 0x28;
const BPF_JEQ_K = 0x15;
const BPF_AND_K = 0x54;
const BPF_RET_K = 0x06;
/** Ancillary loads: the packet's type (PACKET_OUTGOING...) and its protocol (host order). */
const SKF_AD_PROTOCOL = 0xfffff000;
const SKF_AD_PKTTYPE = 0xfffff004;
const PACKET_OUTGOING = 4;
const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;

type Insn =
  | { op: number; k: number }
  | { op: typeof BPF_JEQ_K; k: number; yes: string | null; no: string | null };

/** The program as struct sock_filter[8 bytes each], for SO_ATTACH_FILTER. */
export function forwardedCopyFilter(ownAddresses: string[]): Buffer {
  const v4 = ownAddresses.filter((ip) => !ip.includes(":"));
  const v6 = ownAddresses.filter((ip) => ip.includes(":"));
  const jeq = (k: number, yes: string | null, no: string | null): Insn => ({
    op: BPF_JEQ_K,
    k,
    yes,
    no,
  });
  const labels = new Map<string, number>();
  const program: Insn[] = [];
  const label = (name: string) => labels.set(name, program.length);
  program.push({ op: BPF_LD_W_ABS, k: SKF_AD_PKTTYPE }, jeq(PACKET_OUTGOING, null, "keep"));
  program.push({ op: BPF_LD_H_ABS, k: SKF_AD_PROTOCOL }, jeq(ETH_P_IP, null, "ipv6"));
  program.push({ op: BPF_LD_W_ABS, k: 12 }); // IPv4 source
  for (const ip of v4) program.push(jeq(words(ip)[0], "keep", null));
  program.push({ op: BPF_RET_K, k: 0 });
  label("ipv6");
  program.push(jeq(ETH_P_IPV6, null, "keep"));
  program.push({ op: BPF_LD_W_ABS, k: 8 }, { op: BPF_AND_K, k: 0xffc00000 }); // fe80::/10
  program.push(jeq(0xfe800000, "keep", null));
  v6.forEach((ip, n) => {
    const next = `not-${n}`;
    words(ip).forEach((word, i) => {
      program.push({ op: BPF_LD_W_ABS, k: 8 + 4 * i }, jeq(word, i === 3 ? "keep" : null, next));
    });
    label(next);
  });
  program.push({ op: BPF_RET_K, k: 0 });
  label("keep");
  program.push({ op: BPF_RET_K, k: 0xffffffff });
  return assemble(program, labels);
}

function assemble(program: Insn[], labels: Map<string, number>): Buffer {
  const out = Buffer.alloc(8 * program.length);
  program.forEach((insn, at) => {
    const skip = (to: string | null) => {
      if (to === null) return 0;
      const distance = (labels.get(to) as number) - at - 1;
      if (!(distance >= 0 && distance <= 255)) throw new Error(`BPF jump to ${to} out of reach`);
      return distance;
    };
    out.writeUInt16LE(insn.op, 8 * at);
    if ("yes" in insn) {
      out[8 * at + 2] = skip(insn.yes);
      out[8 * at + 3] = skip(insn.no);
    }
    out.writeUInt32LE(insn.k >>> 0, 8 * at + 4);
  });
  return out;
}

/** An address as the 32-bit big-endian words a BPF load reads from the packet. */
function words(ip: string): number[] {
  const bytes = addressBytes(ip);
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readUInt32BE(4 * i));
}
