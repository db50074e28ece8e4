// The captured frames of a run, kept beside its report for the file reporters that need more
// than the JSON holds (the pcapng writes the frames' bytes; the diagram draws every labelled
// packet, even when the JSON only counts them). In memory only: never part of the JSON report.
import type { LabelledPacket } from "./label.js";

export interface WireFrame {
  /** Milliseconds since the fault, on the call events' clock. */
  tMs: number;
  /** The kernel's CLOCK_REALTIME stamp, in ns. */
  tsNs: bigint;
  data: Buffer;
  origLen: number;
}

export interface RunWire {
  /** LINKTYPE_* of the frames, and the bytes kept of each. */
  linktype: number;
  snaplen: number;
  frames: WireFrame[];
  /** Every decoded packet, labelled, tMs from the fault. */
  packets: LabelledPacket[];
  /** Which lane (client, router, server) each lab address is. */
  lanes: Record<string, string>;
}

const kept = new WeakMap<object, RunWire>();

export function keepWire(run: object, wire: RunWire): void {
  kept.set(run, wire);
}

export function wireOf(run: object): RunWire | undefined {
  return kept.get(run);
}
