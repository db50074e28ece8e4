// The captured frames of a run, kept beside its report for the file reporters that need more
// than the JSON holds (the pcapng writes the frames' bytes; the diagram draws every labelled
// packet, even when the JSON only counts them). In memory only: never part of the JSON report.
// Each is kept only when its reporter was asked for (src/wire/packet-log.ts, WireKeep).
import { SetupError } from "../errors.js";
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
  /** Every frame, when --pcap asked for them. */
  frames?: WireFrame[];
  /** Every decoded packet, labelled, tMs from the fault (not at scale unless --diagram). */
  packets?: LabelledPacket[];
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

/** The runs' captures, or a one-line error naming `flag` when none has one. */
export function capturedRuns<T extends { capture?: { note?: string } }>(
  runs: T[],
  flag: string,
): { run: T; wire: RunWire }[] {
  const found = runs.flatMap((run) => {
    const wire = wireOf(run);
    return wire ? [{ run, wire }] : [];
  });
  if (found.length === 0) {
    const why = runs.find((r) => r.capture?.note)?.capture?.note ?? "the capture was off";
    throw new SetupError(`${flag}: no packets were captured (${why})`);
  }
  return found;
}

/** What a reporter reads of a run's wire; a programming error when the run was not told to keep it. */
export function keptPart<K extends "frames" | "packets">(
  wire: RunWire,
  part: K,
  flag: string,
): NonNullable<RunWire[K]> {
  const kept = wire[part];
  if (!kept) throw new Error(`${flag}: the run kept no ${part} (WireKeep.${part} was not set)`);
  return kept as NonNullable<RunWire[K]>;
}
