// The packets part of a run's report: each packet the lab's router saw, and how the capture went.
// Plain data, written as JSON unchanged; re-exported by types.ts.

/** One packet the lab's router saw, named (src/wire/label.ts). */
export interface WirePacket {
  /** Milliseconds since the fault, on the call events' clock. */
  tMs: number;
  /** "198.51.100.2:51984" (TCP) or the bare address (ICMP). */
  src: string;
  dst: string;
  /** Who sent it: the connection's client or server, or the router (its ICMP). */
  from?: "client" | "server" | "router";
  /** TCP flags, ["ACK", "PSH"]; empty for ICMP. */
  flags: string[];
  /** Relative to the sender's initial sequence number (ISN + 1 = 1), as Wireshark shows them. */
  seq?: number;
  ack?: number;
  /** Payload bytes. */
  len: number;
  /** "keepalive-probe", "retransmission", "rst", "icmp-unreachable", ... */
  kind: string;
  /** "keepalive probe", "retransmission #2", "ICMP host unreachable", ... */
  label: string;
  /** The watched connection it belongs to, when one matches. */
  conn?: string;
}

/** Whether the run's packets were captured, and how many. */
export interface CaptureSummary {
  /** "captured"; "off" (--packets off); "unavailable" (remote mode, or the kernel refused the
   * capture's packet socket). */
  status: "captured" | "off" | "unavailable";
  /** Why not, when not captured: one line. */
  note?: string;
  /** Packets captured, and how many of each kind (--connections N lists no packets, only these). */
  count?: number;
  byKind?: Record<string, number>;
  /** Frames the kernel dropped, the capture's socket buffer full (0 when the capture is whole). */
  droppedByKernel?: number | null;
  /**
   * The check that nothing was missed: IP packets the router's kernel counted while the capture
   * ran (its InReceives and OutRequests), and those captured arriving and sent by the router.
   */
  routerReceived?: number;
  routerSent?: number;
  capturedReceived?: number;
  capturedSent?: number;
}
