// What a captured packet is, as src/wire/label.ts names it (and counts it in capture.byKind).
export type PacketKind =
  | "syn"
  | "syn-ack"
  | "ack"
  | "data"
  | "fin"
  | "rst"
  | "keepalive-probe"
  | "window-probe"
  | "zero-window"
  | "tail-loss-probe"
  | "retransmission"
  | "icmp-unreachable"
  | "icmp"
  | "other";
