// From a run's labelled packets and calls to a sequence diagram's input: each address becomes
// its host's lane, the router's own ICMP comes from the router lane, and a packet sent to a
// host while it is dead ends at the router as lost (the router capture saw it arrive; nothing
// took it further). Times are ms from the fault.
import type {
  DiagramCall,
  DiagramInput,
  DiagramMark,
  DiagramPacket,
  DiagramPrediction,
  DiagramSpan,
} from "../reporters/diagram/types.js";
import type { LabelledPacket } from "./label.js";

export interface WireDiagramSource {
  title: string;
  subtitle?: string;
  /** Which lane each address is: client, router (both its addresses), server. */
  lanes: Record<string, string>;
  /** Labelled packets with tMs relative to the fault. */
  packets: LabelledPacket[];
  calls: DiagramCall[];
  /** What the fault was ("server host crashes"). */
  fault: string;
  /** Host deaths and reboots, ms from the fault. */
  hostEvents?: { tMs: number; lane: string; kind: "host-death" | "reboot"; text: string }[];
  spans?: DiagramSpan[];
  predictions?: DiagramPrediction[];
  /** Leave out what happened before this time (the handshake is often enough). */
  fromMs?: number;
}

export function diagramFromWire(src: WireDiagramSource): DiagramInput {
  const hostEvents = [...(src.hostEvents ?? [])].sort((a, b) => a.tMs - b.tMs);
  const deadAt = (lane: string, t: number) => {
    let dead = false;
    for (const e of hostEvents) if (e.lane === lane && e.tMs <= t) dead = e.kind === "host-death";
    return dead;
  };
  const from = src.fromMs ?? Number.NEGATIVE_INFINITY;
  const packets: DiagramPacket[] = src.packets
    .filter((p) => p.tMs >= from && p.proto !== "other")
    .map((p) => {
      const sender = src.lanes[p.src] ?? "router";
      let to = src.lanes[p.dst] ?? "router";
      const lost = to !== "router" && deadAt(to, p.tMs);
      if (lost) to = "router";
      return {
        tMs: p.tMs,
        from: sender,
        to,
        flags: p.proto === "icmp" ? "ICMP" : p.flags.filter((f) => f !== "PSH").join("|"),
        kind: p.kind,
        label: p.label,
        detail: describe(p),
        ...(p.conn ? { conn: p.conn } : {}),
        ...(lost ? { lost } : {}),
      };
    });
  const marks: DiagramMark[] = [
    { tMs: 0, kind: "fault", text: `fault: ${src.fault}` },
    ...hostEvents.map((e) => ({ tMs: e.tMs, kind: e.kind, lane: e.lane, text: e.text })),
  ];
  return {
    title: src.title,
    ...(src.subtitle ? { subtitle: src.subtitle } : {}),
    lanes: ["client", "router", "server"],
    packets,
    calls: src.calls.filter((c) => c.tMs >= from),
    marks,
    spans: src.spans ?? [],
    predictions: src.predictions ?? [],
  };
}

/** The whole packet in one line, for hover text. */
export function describe(p: LabelledPacket): string {
  const ends =
    p.sport !== undefined ? `${p.src}:${p.sport} → ${p.dst}:${p.dport}` : `${p.src} → ${p.dst}`;
  if (p.proto === "icmp") {
    const inner = p.icmp?.inner;
    const about = inner ? ` about ${inner.src}:${inner.sport} → ${inner.dst}:${inner.dport}` : "";
    return `${ends} ${p.label}${about}${p.conn ? ` [${p.conn}]` : ""}`;
  }
  const seq = p.relSeq ?? p.seq;
  const ack = p.flags.includes("ACK") ? ` ack ${p.relAck ?? p.ack}` : "";
  const win = p.win !== undefined ? ` win ${p.win}` : "";
  return `${ends} ${p.flags.join("|")} seq ${seq}${ack} len ${p.len}${win} · ${p.label}${p.conn ? ` [${p.conn}]` : ""}`;
}
