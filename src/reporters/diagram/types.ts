// What a sequence diagram shows, as plain data: lanes (client, router, server), packets as
// arrows between lanes, socket calls as boxes on a lane, marked moments (the fault, a host's
// death and reboot), kernel timers as spans, and predictions next to what was measured.
// Times are ms from the fault (t=0), negative before it.

export type Lane = string;

export interface DiagramPacket {
  tMs: number;
  from: Lane;
  to: Lane;
  /** "SYN", "ACK|PSH", "RST", "ICMP" ... */
  flags: string;
  /** Machine kind ("keepalive-probe", "retransmission", ...): styles the arrow. */
  kind: string;
  /** Short text on the arrow: "keepalive probe", "retransmission #2". */
  label: string;
  /** The whole packet, shown on hover: addresses, seq, ack, len, window. */
  detail?: string;
  conn?: string;
  /** Never delivered (sent into a blackhole or to a dead host): drawn ending in a cross. */
  lost?: boolean;
}

export interface DiagramCall {
  tMs: number;
  lane: Lane;
  conn: string;
  call: string;
  /** "OK", "EOF" or an errno name. */
  result: string;
  detail?: string;
}

export interface DiagramMark {
  tMs: number;
  kind: "fault" | "host-death" | "reboot" | "note";
  /** The lane it concerns (host death and reboot); none: across the whole diagram. */
  lane?: Lane;
  text: string;
}

export interface DiagramSpan {
  fromMs: number;
  toMs: number;
  lane: Lane;
  kind: "keepalive" | "rto" | "user-timeout" | "other";
  text: string;
}

export interface DiagramPrediction {
  lane: Lane;
  conn: string;
  /** Predicted time, or null for "never"/"beyond the window". */
  tMs: number | null;
  /** "ETIMEDOUT", "ECONNRESET" ... */
  result: string;
  /** Measured first failure, null when none within the window. */
  measuredMs: number | null;
  basis?: string;
}

export interface DiagramInput {
  title: string;
  /** A line under the title: settings, kernel. */
  subtitle?: string;
  lanes: Lane[];
  packets: DiagramPacket[];
  calls: DiagramCall[];
  marks: DiagramMark[];
  spans: DiagramSpan[];
  predictions: DiagramPrediction[];
}
