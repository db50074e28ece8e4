// Experiment: run a real scenario with the real runner while tcpdump captures in the lab's
// router (src/wire/capture.ts), then check what the capture says against the run:
//   - drops: tcpdump's "dropped by kernel", and the packets seen arriving against the router
//     namespace's own Ip InReceives (and the forwarded copies against ForwDatagrams);
//   - clock alignment: each client `send OK` event against the data segment it put on the
//     wire (the segment must come first, and only microseconds before the call returned);
//   - the packets of the story, in fault-relative ms next to the calls.
// Needs root and a built dist/ (npm run build).
//   node bench/wire-capture.mjs crash-reboot
//   node bench/wire-capture.mjs host-crash --keepalive 1,1,2

//   node bench/wire-capture.mjs crash-reboot --save packets.json   (keep the recorded packets)
//   node bench/wire-capture.mjs crash-reboot --pcap out.pcapng --diagram out.html --diagram out.md
import { writeFileSync } from "node:fs";
import { fromDist } from "./lib.mjs";

const argv = process.argv.slice(2);
const saveAt = argv.indexOf("--save");
const save = saveAt >= 0 ? argv.splice(saveAt, 2)[1] : null;
const takeOption = (name) => (argv.includes(name) ? argv.splice(argv.indexOf(name), 2)[1] : null);
const pcapFile = takeOption("--pcap");
const diagramFiles = [];
for (let d = takeOption("--diagram"); d; d = takeOption("--diagram")) diagramFiles.push(d);
const [name = "crash-reboot", ...rest] = argv;
const flags = {};
for (let i = 0; i < rest.length; i += 2)
  flags[rest[i].replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase())] = rest[i + 1];

const { Lab } = await fromDist("lab/lab.js");
const { Capture } = await fromDist("wire/capture.js");
const { readIpCounters } = await fromDist("wire/snmp.js");
const { runScenario } = await fromDist("runner/run-scenario.js");
const { loadScenario } = await fromDist("scenario/load.js");
const { parseSettings } = await fromDist("commands/settings.js");
const { nowMs } = await fromDist("agent/emit.js");

const raw = [];
let capture;
let before;
let after;
let result;
let faultAt;
const build = Lab.build.bind(Lab);
Lab.build = async (options) => {
  const lab = await build({
    ...options,
    onMessage: (host, msg) => {
      if (msg.type === "event") raw.push(msg);
      options.onMessage(host, msg);
    },
  });
  const { routerClient, routerServer } = lab.plan;
  capture = await Capture.start({
    netns: lab.router.netns,
    ownAddresses: [routerClient, routerServer],
  });
  before = await readIpCounters(capture.pid);
  for (const fault of ["crashServer", "unreachableServer", "crashClient", "partition"]) {
    const inject = lab[fault].bind(lab);
    lab[fault] = (...args) => {
      faultAt ??= nowMs();
      return inject(...args);
    };
  }
  const destroy = lab.destroy.bind(lab);
  lab.destroy = async () => {
    await destroy();
    await new Promise((r) => setTimeout(r, 200));
    after = await readIpCounters(capture.pid);
    result = await capture.stop();
  };
  return lab;
};

const started = nowMs();
const report = await runScenario(loadScenario(name), parseSettings(flags));
const wall = nowMs() - started;
const ip = result.packets.filter((p) => p.decoded);
const arriving = ip.filter((p) => !p.decoded.outgoing);
const own = ip.filter((p) => p.decoded.outgoing);
console.log(`scenario ${name} ${JSON.stringify(flags)}: wall ${wall.toFixed(0)} ms`);
console.log(`tcpdump: ${JSON.stringify(result.stats)}`);
console.log(
  `router counters: InReceives +${after.inReceives - before.inReceives}, ForwDatagrams +${after.forwarded - before.forwarded}, OutRequests +${after.outRequests - before.outRequests}`,
);
console.log(
  `captured IP: ${arriving.length} arriving, ${own.length} sent by the router; ${result.packets.length - ip.length} non-IP frames (ARP); ${result.stats.frames - result.packets.length} outgoing copies dropped`,
);
const drift = Number(result.clocks.stop.offsetNs - result.clocks.start.offsetNs);
console.log(
  `clock pairing: bracket ±${result.clocks.start.errorNs} ns; realtime-monotonic drift over the run ${drift} ns`,
);

// Alignment: a client send's segment is on the wire before the call returns.
const gaps = [];
for (const e of raw.filter((e) => e.side === "client" && e.call === "send" && e.result === "OK")) {
  // the segment a send put on the wire: data to the server within 2 ms around the return
  const seg = arriving
    .filter((p) => p.decoded.proto === "tcp" && p.decoded.len > 0 && p.decoded.dport === 7000)
    .filter((p) => Math.abs(p.tMonoMs - e.t) < 2)
    .sort((a, b) => Math.abs(a.tMonoMs - e.t) - Math.abs(b.tMonoMs - e.t))[0];
  if (seg) gaps.push((e.t - seg.tMonoMs) * 1000);
}
gaps.sort((a, b) => a - b);
const q = (f) => gaps[Math.min(gaps.length - 1, Math.floor(f * gaps.length))]?.toFixed(1);
console.log(
  `send OK event minus its segment (µs): n=${gaps.length} min ${q(0)} median ${q(0.5)} max ${q(0.999)}`,
);

const t0 = faultAt ?? raw[0].t;
console.log(
  `\ntimeline (ms from the fault${faultAt ? "" : " — no fault call seen, first event"}):`,
);
const lines = [
  ...ip.map((p) => {
    const d = p.decoded;
    const what =
      d?.proto === "tcp"
        ? `${d.src}:${d.sport} > ${d.dst}:${d.dport} ${d.flags.join("|")} seq ${d.seq} ack ${d.ack} len ${d.len}`
        : `${d?.src} > ${d?.dst} ${d?.proto} ${d?.icmp?.what ?? ""}`;
    return { t: p.tMonoMs, text: `wire    ${what}` };
  }),
  ...raw.map((e) => ({ t: e.t, text: `${e.side.padEnd(7)} ${e.conn} ${e.call} ${e.result}` })),
].sort((a, b) => a.t - b.t);
for (const l of lines)
  if (l.t >= t0 - 300) console.log(`${(l.t - t0).toFixed(3).padStart(10)}  ${l.text}`);
console.log(`\npassed: ${report.passed}`);
if (save) {
  const round = (t) => Math.round((t - t0) * 1000) / 1000;
  const packets = ip.map((p) => {
    const { outgoing, ifindex, ...d } = p.decoded;
    return { tMs: round(p.tMonoMs), ...d };
  });
  const events = raw.map(({ t, type, ...e }) => ({ tMs: round(t), ...e }));
  const list = (items) => items.map((i) => `  ${JSON.stringify(i)}`).join(",\n");
  const head = JSON.stringify({ scenario: name, flags });
  const body = `"packets": [\n${list(packets)}\n],\n"events": [\n${list(events)}\n]`;
  writeFileSync(save, `${head.slice(0, -1)},\n${body}\n}\n`);
}

if (pcapFile || diagramFiles.length > 0) {
  const { writeWireFiles } = await import("./wire-files.mjs");
  writeWireFiles({ name, flags, report, result, raw, t0, pcapFile, diagramFiles });
}
