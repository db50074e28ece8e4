// The kernel's timers as the wire shows them, for the diagram's spans: on each connection,
// the keepalive idle time (last segment before the first probe, to that probe) and each
// interval between probes, and each retransmission timeout (previous transmission of the
// same data, or previous retransmission, to the next retransmission). Measured, not
// predicted: the prediction is drawn separately, next to it.
import type { DiagramSpan } from "../reporters/diagram/types.js";
import type { LabelledPacket } from "./label.js";

export function timerSpans(
  packets: LabelledPacket[],
  laneOf: (ip: string) => string,
): DiagramSpan[] {
  const spans: DiagramSpan[] = [];
  const byConn = new Map<string, LabelledPacket[]>();
  for (const p of packets) {
    if (p.proto !== "tcp" || !p.conn) continue;
    const list = byConn.get(p.conn) ?? [];
    list.push(p);
    byConn.set(p.conn, list);
  }
  for (const [conn, list] of byConn) {
    let lastOther: LabelledPacket | undefined;
    let lastProbe: LabelledPacket | undefined;
    let lastResend: LabelledPacket | undefined;
    for (const p of list) {
      const lane = laneOf(p.src);
      if (p.kind === "keepalive-probe") {
        const start = lastProbe ?? lastOther;
        const what = lastProbe ? "keepalive interval" : "keepalive idle";
        if (start) spans.push(span(start.tMs, p.tMs, lane, "keepalive", `${conn} ${what}`));
        lastProbe = p;
        continue;
      }
      if (p.kind === "retransmission") {
        const k = p.retransmission ?? 1;
        const start =
          k === 1 || !lastResend
            ? list.find((q) => q.kind === "data" && q.src === p.src && q.relSeq === p.relSeq)
            : lastResend;
        if (start) spans.push(span(start.tMs, p.tMs, lane, "rto", `${conn} RTO #${k}`));
        lastResend = p;
      }
      lastOther = p;
      lastProbe = undefined;
    }
  }
  return spans;
}

function span(
  fromMs: number,
  toMs: number,
  lane: string,
  kind: DiagramSpan["kind"],
  what: string,
): DiagramSpan {
  return { fromMs, toMs, lane, kind, text: `${what} ${Math.round(toMs - fromMs)} ms` };
}
