// What a run keeps of its capture, packet by packet as the capture reads them. Always: how many
// were decoded, when each was captured and which way it went (to check the capture against
// the router's counters, capture.capturedReceived and capturedSent). The decoded packets only
// where someone reads them (the JSON lists a run's packets unless it is at scale; --diagram
// draws them), else only their kinds are counted, labelled as they come; the frames' bytes
// only for --pcap. Measured: `run host-crash --connections 10000 --keepalive 1,1,2` captures
// ~110,000 packets, which kept as objects (frames, decoded and labelled) took ~180 MiB.
import type { CapturedPacket } from "./capture.js";
import type { DecodedPacket } from "./decode.js";
import { Labeller } from "./label.js";

/** What a run must keep of its packets beyond the report's counts. */
export interface WireKeep {
  /** The frames' bytes, for the pcapng (--pcap). */
  frames: boolean;
  /** Every decoded packet, to label with the connections' names (the JSON's packets, --diagram). */
  packets: boolean;
}

export const KEEP_NOTHING: WireKeep = { frames: false, packets: false };

/** A decoded packet as captured, on CLOCK_MONOTONIC. */
export interface KeptPacket {
  tMonoMs: number;
  decoded: DecodedPacket;
}

/** A frame as captured (decoded or not), for the pcapng. */
export interface KeptFrame {
  tMonoMs: number;
  tsNs: bigint;
  data: Buffer;
  origLen: number;
}

export class PacketLog {
  /** Decoded packets seen. */
  count = 0;
  /** Each decoded packet's capture time (CLOCK_MONOTONIC ms), and whether it was sent. */
  private times = new Float64Array(4096);
  private sent = new Uint8Array(4096);
  /** Counted as they come when the packets are not kept (kept ones are labelled at the end). */
  readonly byKind: Record<string, number> = {};
  /** The flows' state while packets come (~14 MB at 20,000 connections); dropped at the end. */
  private labeller: Labeller | null;
  readonly packets: KeptPacket[] | null;
  readonly frames: KeptFrame[] | null;

  constructor(keep: WireKeep) {
    this.packets = keep.packets ? [] : null;
    this.frames = keep.frames ? [] : null;
    this.labeller = keep.packets ? null : new Labeller();
  }

  add(p: CapturedPacket): void {
    if (this.frames)
      this.frames.push({
        tMonoMs: p.tMonoMs,
        tsNs: p.tsNs,
        data: Buffer.from(p.data), // the capture reuses p.data's bytes
        origLen: p.origLen,
      });
    const { decoded } = p;
    if (!decoded) return;
    if (this.count === this.times.length) this.grow();
    this.times[this.count] = p.tMonoMs;
    this.sent[this.count] = decoded.outgoing ? 1 : 0;
    this.count++;
    if (this.packets) this.packets.push({ tMonoMs: p.tMonoMs, decoded });
    if (this.labeller) {
      // kinds do not depend on the connections' names, nor on where t=0 is
      const kind = this.labeller.kindOf(decoded, p.tMonoMs);
      this.byKind[kind] = (this.byKind[kind] ?? 0) + 1;
    }
  }

  /** No more packets will come: let go of what only labelling them needed. */
  close(): void {
    this.labeller = null;
  }

  /** Decoded packets captured between fromMs and untilMs (inclusive), by direction. */
  between(fromMs: number, untilMs: number): { received: number; sent: number } {
    let received = 0;
    let sent = 0;
    for (let i = 0; i < this.count; i++) {
      const t = this.times[i];
      if (t < fromMs || t > untilMs) continue;
      if (this.sent[i]) sent++;
      else received++;
    }
    return { received, sent };
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const sent = new Uint8Array(this.sent.length * 2);
    sent.set(this.sent);
    this.sent = sent;
  }
}
