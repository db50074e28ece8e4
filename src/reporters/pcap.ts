// --pcap FILE: the lab's packets as pcapng, for Wireshark and tshark. One interface per run
// (the router's, all its links; named after the run), the packets with the kernel's own
// nanosecond stamps, and every socket call as a comment on the packet nearest to it in time,
// saying the call's time from the fault and how far it is from that packet.
import type { Report, RunReport } from "../types.js";
import { callComments } from "../wire/annotate.js";
import { writePcapng } from "../wire/pcapng.js";
import { capturedRuns, keptPart } from "../wire/store.js";
import type { Reporter } from "./reporter.js";

export function renderPcap(report: Report): Uint8Array {
  const runs = capturedRuns(report.runs, "--pcap");
  const interfaces = runs.map(({ run, wire }) => ({
    linktype: wire.linktype,
    snaplen: wire.snaplen,
    name: "router",
    description: runName(run),
  }));
  const packets = runs.flatMap(({ run, wire }, interfaceId) => {
    const frames = keptPart(wire, "frames", "--pcap");
    const notes = callComments(
      frames.map((f) => f.tMs),
      calls(run),
      0,
    );
    return frames.map((f, i) => ({
      interfaceId,
      tsNs: f.tsNs,
      data: f.data,
      origLen: f.origLen,
      comments: notes.get(i),
    }));
  });
  packets.sort((a, b) => (a.tsNs < b.tsNs ? -1 : a.tsNs > b.tsNs ? 1 : 0));
  return writePcapng({
    comment: `tcpdrop ${report.tool.version} on Linux ${report.kernel}: ${runs.map(({ run }) => runName(run)).join("; ")}. Comments are the socket calls, t=0 is the fault.`,
    application: `tcpdrop ${report.tool.version}`,
    interfaces,
    packets,
  });
}

function runName(run: RunReport): string {
  const extra = [run.label, run.repetition && `#${run.repetition}`].filter(Boolean).join(" ");
  return `lab router, run ${run.scenario}${extra ? ` (${extra})` : ""}`;
}

/** Every call of the run (both sides), on the packets' clock (ms from the fault). */
function calls(run: RunReport) {
  return run.connections.flatMap((c) =>
    c.events
      .filter((e) => e.call !== "tcp_info")
      .map((e) => ({
        tMonoMs: e.tMs,
        side: e.side,
        conn: c.id,
        call: e.call,
        result: e.result,
        ...(e.detail ? { detail: e.detail } : {}),
        ...(e.bytes !== undefined
          ? { detail: `${e.bytes} B${e.detail ? ` ${e.detail}` : ""}` }
          : {}),
      })),
  );
}

export const pcapReporter: Reporter = {
  name: "pcap",
  render: (report) => renderPcap(report),
};
