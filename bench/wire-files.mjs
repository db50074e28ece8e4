// Writes a captured run as pcapng (calls as packet comments) and as sequence diagrams, with
// the modules the CLI will use: a preview of `run --pcap FILE --diagram FILE` until the
// runner integrates them. Used by bench/wire-capture.mjs.
import { writeFileSync } from "node:fs";
import { fromDist } from "./lib.mjs";

const { labelPackets } = await fromDist("wire/label.js");
const { connectionEnds } = await fromDist("wire/connections.js");
const { writePcapng } = await fromDist("wire/pcapng.js");
const { callComments } = await fromDist("wire/annotate.js");
const { diagramFromWire } = await fromDist("wire/diagram-input.js");
const { timerSpans } = await fromDist("wire/timers.js");
const { diagramFormat, renderDiagram } = await fromDist("reporters/diagram/index.js");
const { IPV4 } = await fromDist("lab/addresses.js");

export function writeWireFiles({ name, flags, report, result, raw, t0, pcapFile, diagramFiles }) {
  const calls = raw.filter((e) => e.conn !== "listener" && e.call !== "tcp_info");
  if (pcapFile) {
    const times = result.packets.map((p) => p.tMonoMs);
    const notes = callComments(
      times,
      calls.map((e) => ({ ...e, tMonoMs: e.t })),
      t0,
    );
    const pcap = writePcapng({
      comment: `tcpdrop run ${name} ${JSON.stringify(flags)}; t=0 (the fault) is CLOCK_MONOTONIC ${t0.toFixed(3)} ms`,
      application: "tcpdrop",
      interfaces: [
        {
          linktype: result.header.linktype,
          snaplen: result.header.snaplen,
          name: "any",
          description: "lab router, all interfaces",
        },
      ],
      packets: result.packets.map((p, i) => ({
        interfaceId: 0,
        tsNs: p.tsNs,
        data: p.data,
        origLen: p.origLen,
        comments: notes.get(i),
      })),
    });
    writeFileSync(pcapFile, pcap);
    console.log(
      `wrote ${pcapFile}: ${result.packets.length} packets, ${calls.length} calls as comments`,
    );
  }
  const ends = connectionEnds(calls);
  const decoded = result.packets
    .filter((p) => p.decoded)
    .map((p) => ({ ...p.decoded, tMs: p.tMonoMs - t0 }));
  const packets = labelPackets(decoded, ends);
  const lanes = {
    [IPV4.client]: "client",
    [IPV4.routerClient]: "router",
    [IPV4.routerServer]: "router",
    [IPV4.server]: "server",
  };
  const crashes = ["host-crash", "crash-reboot", "host-unreachable", "net-unreachable"].includes(
    name,
  );
  const hostEvents = [
    ...(crashes ? [{ tMs: 0, lane: "server", kind: "host-death", text: "server host dies" }] : []),
    ...report.steps
      .filter((s) => /back/.test(s.what))
      .map((s) => ({ tMs: s.tMs, lane: "server", kind: "reboot", text: s.what })),
  ];
  const predictions = report.connections
    .filter((c) => c.predicted)
    .map((c) => ({
      lane: c.side,
      conn: c.id,
      tMs: c.predicted.afterMs,
      result: c.predicted.result ?? "nothing",
      measuredMs: c.firstFailure?.afterMs ?? null,
      basis: c.predicted.basis,
    }));
  const input = diagramFromWire({
    title: `tcpdrop run ${name}${Object.entries(flags)
      .map(([k, v]) => ` --${k} ${v}`)
      .join("")}`,
    subtitle: report.summary,
    lanes,
    packets,
    calls: calls
      .filter((e) => !(e.side === "server" && e.call === "recv" && e.result === "OK"))
      .map((e) => ({
        tMs: e.t - t0,
        lane: e.side,
        conn: e.conn,
        call: e.call,
        result: e.result,
        ...(e.detail ? { detail: e.detail } : {}),
      })),
    fault: report.summary,
    hostEvents,
    spans: timerSpans(
      packets.filter((p) => p.tMs > -100),
      (ip) => lanes[ip] ?? "router",
    ),
    predictions,
    fromMs: -300,
  });
  for (const file of diagramFiles) {
    writeFileSync(file, renderDiagram(input, diagramFormat(file) ?? "html"));
    console.log(`wrote ${file}: ${input.packets.length} arrows, ${input.calls.length} calls`);
  }
}
