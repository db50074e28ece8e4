// Reads the classic pcap format (what `tcpdump -w -` writes to a pipe) incrementally: a 24-byte
// file header, then one 16-byte record header and the captured bytes per packet. Both byte
// orders and both precisions (microsecond magic a1b2c3d4, nanosecond magic a1b23c4d) are read;
// timestamps come out as integer nanoseconds of the capturing clock (CLOCK_REALTIME).

export interface PcapRecord {
  /** Capture time in ns since the Unix epoch, as the kernel stamped it. */
  tsNs: bigint;
  /** Length of the packet on the wire (may exceed data.length when snapped). */
  origLen: number;
  data: Buffer;
}

export interface PcapHeader {
  linktype: number;
  snaplen: number;
  nano: boolean;
}

const MAGIC_MICRO = 0xa1b2c3d4;
const MAGIC_NANO = 0xa1b23c4d;

export class PcapStreamReader {
  header: PcapHeader | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private little = true;

  /** Feed bytes as they arrive; returns the records completed by them. */
  push(chunk: Buffer): PcapRecord[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: PcapRecord[] = [];
    if (!this.header && !this.readHeader()) return out;
    let at = 0;
    while (this.buf.length - at >= 16) {
      const sec = this.u32(at);
      const frac = this.u32(at + 4);
      const caplen = this.u32(at + 8);
      const origLen = this.u32(at + 12);
      if (this.buf.length - at - 16 < caplen) break;
      const data = Buffer.from(this.buf.subarray(at + 16, at + 16 + caplen));
      const fracNs = this.header?.nano ? BigInt(frac) : BigInt(frac) * 1000n;
      out.push({ tsNs: BigInt(sec) * 1_000_000_000n + fracNs, origLen, data });
      at += 16 + caplen;
    }
    this.buf = this.buf.subarray(at);
    return out;
  }

  /** Bytes received but not yet a whole record (non-zero at the end means a cut stream). */
  get pending(): number {
    return this.buf.length;
  }

  private readHeader(): boolean {
    if (this.buf.length < 24) return false;
    const le = this.buf.readUInt32LE(0);
    const be = this.buf.readUInt32BE(0);
    if (le === MAGIC_MICRO || le === MAGIC_NANO) this.little = true;
    else if (be === MAGIC_MICRO || be === MAGIC_NANO) this.little = false;
    else throw new Error(`not a pcap stream (magic 0x${le.toString(16)})`);
    const magic = this.little ? le : be;
    this.header = { nano: magic === MAGIC_NANO, snaplen: this.u32(16), linktype: this.u32(20) };
    this.buf = this.buf.subarray(24);
    return true;
  }

  private u32(at: number): number {
    return this.little ? this.buf.readUInt32LE(at) : this.buf.readUInt32BE(at);
  }
}
