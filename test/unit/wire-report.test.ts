// The packets in the reports: the human timeline (which packets it shows, how identical
// retransmissions fold, how a packet line reads), the pcapng file reporter (calls as comments
// on the frames kept beside a report), several runs in one diagram file, and the preflight of
// --diagram's extension and of --packets off.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Chalk } from "chalk";
import { afterAll, describe, expect, it } from "vitest";
import { preflight } from "../../src/commands/preflight.js";
import { parseSettings } from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";
import { joinDiagrams } from "../../src/reporters/diagram/join.js";
import { renderPcap } from "../../src/reporters/pcap.js";
import { buildTimeline, measureTimelines, renderTimeline } from "../../src/reporters/timeline.js";
import { shownPackets } from "../../src/reporters/wire-rows.js";
import { buildReport } from "../../src/runner/document.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { RunReport, SocketEvent, WirePacket } from "../../src/types.js";
import { keepWire } from "../../src/wire/store.js";
import { FIXED } from "./diagram-fixture.js";
import { ipv4Tcp } from "./wire-frames.js";

const c = new Chalk({ level: 0 });
const dir = mkdtempSync(join(tmpdir(), "tcpdrop-wire-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const packet = (tMs: number, kind: string, label: string, extra: Partial<WirePacket> = {}) => ({
  tMs,
  src: "198.51.100.2:40000",
  dst: "203.0.113.2:7000",
  from: "client" as const,
  flags: ["ACK", "PSH"],
  seq: 11,
  ack: 1,
  len: 15,
  kind,
  label,
  conn: "writer",
  ...extra,
});

const call = (tMs: number, callName: string, result: string): SocketEvent => ({
  tMs,
  side: "client",
  conn: "writer",
  call: callName,
  result,
});

describe("packets in the human timeline", () => {
  const packets: WirePacket[] = [
    packet(-50, "data", "data 5 B"),
    packet(361, "tail-loss-probe", "tail loss probe", { seq: 16, len: 5 }),
    packet(573, "retransmission", "retransmission #1"),
    packet(997, "retransmission", "retransmission #2"),
    packet(1829, "retransmission", "retransmission #3"),
    packet(1829.6, "rst", "RST", {
      from: "server",
      flags: ["RST"],
      seq: 1,
      ack: undefined,
      len: 0,
    }),
    packet(1830, "ack", "ACK", { conn: "idle" }),
  ];

  it("shows the kernel's own packets of the connection, not its data segments and ACKs", () => {
    expect(shownPackets(packets, "writer").map((p) => p.kind)).toEqual([
      "tail-loss-probe",
      "retransmission",
      "retransmission",
      "retransmission",
      "rst",
    ]);
    expect(shownPackets(undefined, "writer")).toEqual([]);
  });

  it("interleaves them with the calls and folds identical retransmissions into one line", () => {
    const events = [call(-60, "send", "OK"), call(1830, "recv", "ECONNRESET")];
    const rows = buildTimeline(events, shownPackets(packets, "writer"));
    const lines = renderTimeline(rows, measureTimelines([rows]), c);
    expect(lines).toEqual([
      "    -60.0 ms  client  send  OK",
      "  ──── fault ────",
      "   +361.0 ms  wire    client → server  ACK  seq 16 ack 1 len 5  (tail loss probe)",
      "   +573.0 ms  wire    client → server  ACK  seq 11 ack 1 len 15  (retransmission #1–#3)  ×3 (from +573.0 to +1829.0 ms)",
      "  +1829.6 ms  wire    server → client  RST  seq 1  (RST)",
      "  +1830.0 ms  client  recv  ECONNRESET",
    ]);
  });

  it("does not fold two retransmissions of different data", () => {
    const two = [
      packet(1, "retransmission", "retransmission #1"),
      packet(2, "retransmission", "retransmission #1", { seq: 99 }),
      packet(3, "retransmission", "retransmission #2"),
    ];
    const rows = buildTimeline([], two);
    expect(rows.filter((r) => r.kind === "packet")).toHaveLength(3);
  });
});

function runWith(frames: { tMs: number; data: Buffer }[], events: SocketEvent[]): RunReport {
  const run = {
    scenario: "crash-reboot",
    engine: "syscall",
    summary: "test",
    settings: { ...parseSettings({}), sysctls: {} },
    connections: [
      {
        id: "writer",
        side: "client",
        workload: "writer",
        firstFailure: null,
        predicted: null,
        events,
      },
    ],
    steps: [],
    verdicts: [],
    passed: true,
    durationMs: 1,
  } as RunReport;
  const base = 1_700_000_000_000_000_000n;
  keepWire(run, {
    linktype: 276,
    snaplen: 256,
    frames: frames.map((f) => ({
      tMs: f.tMs,
      tsNs: base + BigInt(Math.round(f.tMs * 1e6)),
      data: f.data,
      origLen: f.data.length,
    })),
    packets: [],
    lanes: {},
  });
  return run;
}

describe("--pcap", () => {
  const spec = {
    src: "203.0.113.2",
    dst: "198.51.100.2",
    sport: 7000,
    dport: 40000,
    seq: 5,
    ack: 0,
  };
  const run = runWith(
    [
      { tMs: 10, data: ipv4Tcp({ ...spec, flags: 0x18, payload: 5 }) },
      { tMs: 1829.6, data: ipv4Tcp({ ...spec, flags: 0x04 }) },
    ],
    [call(1830, "recv", "ECONNRESET"), call(11, "send", "OK")],
  );
  const bytes = Buffer.from(renderPcap(buildReport([run], "6.18", "0.1.0")));

  it("is pcapng (a section header block first) holding each call as a comment", () => {
    expect(bytes.readUInt32LE(0)).toBe(0x0a0d0d0a);
    expect(
      bytes.includes(
        "tcpdrop +1830.000 ms client writer: recv ECONNRESET (400 µs after this packet)",
      ),
    ).toBe(true);
    expect(bytes.includes("lab router, run crash-reboot")).toBe(true);
  });

  it.skipIf(spawnSync("tshark", ["--version"]).status !== 0)(
    "tshark reads it: the RST carries the ECONNRESET as its comment",
    () => {
      const file = join(dir, "one.pcapng");
      writeFileSync(file, bytes);
      const out = spawnSync(
        "tshark",
        ["-r", file, "-T", "fields", "-e", "tcp.flags.reset", "-e", "frame.comment"],
        { encoding: "utf8" },
      );
      const rows = out.stdout.trim().split("\n");
      expect(rows).toHaveLength(2);
      expect(rows[1]).toMatch(/^1\t.*recv ECONNRESET/);
      expect(rows[0]).toMatch(/^0\t.*send OK/);
    },
  );
});

describe("several runs in one diagram file", () => {
  const a = { ...FIXED, title: "tcpdrop crash-reboot · keepalive off" };
  const b = { ...FIXED, title: "tcpdrop crash-reboot · keepalive 1,1,2" };

  it("SVG: the pictures next to each other in one SVG", () => {
    const svg = joinDiagrams([a, b], "svg", "tcpdrop crash-reboot");
    expect(svg.match(/<svg /g)).toHaveLength(3);
    const xs = [...svg.matchAll(/<svg x="(\d+)"/g)].map((m) => Number(m[1]));
    expect(xs[0]).toBe(0);
    expect(xs[1]).toBeGreaterThan(0);
  });

  it("Markdown: one section and one Mermaid block per run", () => {
    const md = joinDiagrams([a, b], "markdown", "tcpdrop crash-reboot");
    expect(md.match(/```mermaid/g)).toHaveLength(2);
    expect(md).toContain("## tcpdrop crash-reboot · keepalive 1,1,2");
  });

  it("Mermaid: one sequenceDiagram, a note heading each run's part", () => {
    const mmd = joinDiagrams([a, b], "mermaid", "tcpdrop crash-reboot");
    expect(mmd.match(/sequenceDiagram/g)).toHaveLength(1);
    expect(mmd.match(/participant/g)).toHaveLength(3);
    expect(mmd).toMatch(/Note over L0,L2: tcpdrop crash-reboot · keepalive off/);
  });
});

describe("preflight of the wire's file reporters", () => {
  const job = (packets: "on" | "off" = "on") => ({
    scenario: loadScenario("peer-close"),
    settings: { ...parseSettings({}), packets },
  });

  it("--diagram with an extension it cannot write is a usage error naming those it can", () => {
    expect(() => preflight([job()], [], { outputs: { "--diagram": join(dir, "x.png") } })).toThrow(
      /--diagram .*x\.png: the format follows the file name's extension, one of \.html, \.htm, \.svg, \.mmd, \.md/,
    );
  });

  it("--pcap or --diagram with --packets off is a usage error", () => {
    expect(() =>
      preflight([job("off")], [], { outputs: { "--pcap": join(dir, "x.pcapng") } }),
    ).toThrow(UsageError);
  });
});
