// Packets in the human timeline: which ones it shows (the kernel's own doings: handshake, FIN,
// RST, probes, retransmissions, ICMP; not the plain data segments and ACKs, which the JSON
// keeps), how a run of identical retransmissions folds into one line, and how a packet line
// reads: `+1016.2 ms  wire  client → server  ACK  seq 1 (keepalive probe)`.
import type { ChalkInstance } from "chalk";
import type { WirePacket } from "../types.js";

/** Kinds the timeline leaves out: the writer's every segment and its ACK would drown it. */
const ROUTINE = new Set(["data", "ack", "other"]);

export function shownPackets(packets: WirePacket[] | undefined, conn: string): WirePacket[] {
  return (packets ?? []).filter((p) => p.conn === conn && !ROUTINE.has(p.kind));
}

const FOLDED = new Set(["retransmission", "keepalive-probe", "window-probe"]);

/** Two packets a folded line may stand for: the same resend (or probe) of the same data. */
export function samePacket(a: WirePacket, b: WirePacket): boolean {
  return (
    FOLDED.has(a.kind) &&
    a.kind === b.kind &&
    a.src === b.src &&
    a.dst === b.dst &&
    a.seq === b.seq &&
    a.len === b.len &&
    a.flags.join() === b.flags.join()
  );
}

export const WIRE = "wire";

/** "client → server  ACK  seq 1 ack 1 len 5  (keepalive probe)", "×4" for a fold. */
export function packetText(
  p: WirePacket,
  c: ChalkInstance,
  fold?: { last: WirePacket; count: number; span: string },
): string {
  const flags =
    p.flags.filter((f) => f !== "PSH").join("|") || (p.kind.startsWith("icmp") ? "ICMP" : "");
  const to = p.from === "client" ? "server" : "client";
  const who = `${p.from ?? "?"} → ${to}`;
  const numbers = [
    p.seq !== undefined ? `seq ${p.seq}` : "",
    p.ack !== undefined && p.kind !== "keepalive-probe" ? `ack ${p.ack}` : "",
    p.len > 0 ? `len ${p.len}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  const label = fold ? foldLabel(p, fold.last) : p.label;
  const paint = p.kind === "rst" || p.kind.startsWith("icmp") ? c.red : c.magenta;
  const parts = [who, paint(flags), numbers, c.dim(`(${label})`)];
  if (fold) parts.push(c.dim(`×${fold.count} (${fold.span})`));
  return parts.filter(Boolean).join("  ");
}

/** "retransmission #1–#4" for a fold of numbered resends; the label otherwise. */
function foldLabel(first: WirePacket, last: WirePacket): string {
  const n = (p: WirePacket) => /#(\d+)$/.exec(p.label)?.[1];
  const [a, b] = [n(first), n(last)];
  return a && b ? `${first.label.replace(/ #\d+$/, "")} #${a}–#${b}` : first.label;
}
