// A pcapng writer (the format Wireshark and tshark open by default): one Section Header Block,
// one Interface Description Block per capture interface (nanosecond timestamps, if_tsresol 9),
// and one Enhanced Packet Block per packet, each optionally carrying comments (opt_comment),
// which Wireshark shows under the packet and tshark as frame.comment. Written here rather
// than taken from npm: the format needs four block layouts and option padding, ~100 lines,
// and no package on npm writes comments and nanosecond stamps without pulling in a parser.

export interface PcapngInterface {
  /** LINKTYPE_* of the frames (276 for tcpdump -i any's Linux cooked v2). */
  linktype: number;
  snaplen: number;
  name?: string;
  description?: string;
}

export interface PcapngPacket {
  /** Index into `interfaces`. */
  interfaceId: number;
  /** Capture time, ns since the Unix epoch. */
  tsNs: bigint;
  data: Buffer;
  /** Length on the wire (defaults to data.length). */
  origLen?: number;
  comments?: string[];
}

export interface PcapngInput {
  /** Section comment (shb_comment), e.g. which run this is. */
  comment?: string;
  /** Writing application (shb_userappl). */
  application?: string;
  interfaces: PcapngInterface[];
  packets: PcapngPacket[];
}

const SHB = 0x0a0d0d0a;
const IDB = 0x00000001;
const EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const OPT_END = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;

/** The whole file, little-endian. */
export function writePcapng(input: PcapngInput): Buffer {
  const parts: Buffer[] = [];
  const shbBody = Buffer.alloc(16);
  shbBody.writeUInt32LE(BYTE_ORDER_MAGIC, 0);
  shbBody.writeUInt16LE(1, 4);
  shbBody.writeUInt16LE(0, 6);
  shbBody.writeBigInt64LE(-1n, 8); // section length not given
  const shbOptions = options([
    ...textOption(OPT_COMMENT, input.comment),
    ...textOption(SHB_USERAPPL, input.application),
  ]);
  parts.push(block(SHB, shbBody, shbOptions));
  for (const itf of input.interfaces) {
    const body = Buffer.alloc(8);
    body.writeUInt16LE(itf.linktype, 0);
    body.writeUInt32LE(itf.snaplen, 4);
    const opts = options([
      ...textOption(IF_NAME, itf.name),
      ...textOption(IF_DESCRIPTION, itf.description),
      [IF_TSRESOL, Buffer.from([9])],
    ]);
    parts.push(block(IDB, body, opts));
  }
  for (const p of input.packets) {
    if (p.interfaceId < 0 || p.interfaceId >= input.interfaces.length)
      throw new Error(`packet on interface ${p.interfaceId}, but only ${input.interfaces.length}`);
    const body = Buffer.alloc(20);
    body.writeUInt32LE(p.interfaceId, 0);
    body.writeUInt32LE(Number(p.tsNs >> 32n), 4);
    body.writeUInt32LE(Number(p.tsNs & 0xffffffffn), 8);
    body.writeUInt32LE(p.data.length, 12);
    body.writeUInt32LE(p.origLen ?? p.data.length, 16);
    const opts = options((p.comments ?? []).flatMap((c) => textOption(OPT_COMMENT, c)));
    parts.push(block(EPB, Buffer.concat([body, pad(p.data)]), opts));
  }
  return Buffer.concat(parts);
}

type Option = [code: number, value: Buffer];

function textOption(code: number, text: string | undefined): Option[] {
  return text === undefined || text === "" ? [] : [[code, Buffer.from(text, "utf8")]];
}

/** Options, each padded to 32 bits, closed by opt_endofopt; nothing when there are none. */
function options(list: Option[]): Buffer {
  if (list.length === 0) return Buffer.alloc(0);
  const parts = list.map(([code, value]) => {
    if (value.length > 0xffff) throw new Error(`pcapng option ${code} is too long`);
    const head = Buffer.alloc(4);
    head.writeUInt16LE(code, 0);
    head.writeUInt16LE(value.length, 2);
    return Buffer.concat([head, pad(value)]);
  });
  return Buffer.concat([...parts, Buffer.from([OPT_END, 0, 0, 0])]);
}

function pad(b: Buffer): Buffer {
  const rest = (4 - (b.length % 4)) % 4;
  return rest === 0 ? b : Buffer.concat([b, Buffer.alloc(rest)]);
}

/** type, total length, body, options, total length again. */
function block(type: number, body: Buffer, opts: Buffer): Buffer {
  const total = 12 + body.length + opts.length;
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(total, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(total, 0);
  return Buffer.concat([head, body, opts, tail]);
}
