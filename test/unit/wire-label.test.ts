// Packet labelling on packet sequences recorded by bench/wire-capture.mjs in real labs
// (test/unit/fixtures/wire), plus small hand-written cases for what those runs do not show.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type LabelInput, type LabelledPacket, labelPackets } from "../../src/wire/label.js";

function recorded(name: string): LabelledPacket[] {
  const url = new URL(`fixtures/wire/${name}.json`, import.meta.url);
  const fixture = JSON.parse(readFileSync(url, "utf8")) as { packets: LabelInput[] };
  return labelPackets(fixture.packets);
}

const afterFault = (packets: LabelledPacket[]) => packets.filter((p) => p.tMs > 0);
const labels = (packets: LabelledPacket[]) => packets.map((p) => p.label);

describe("labelPackets on recorded runs", () => {
  it("host-crash with keepalive 1,1,2: two keepalive probes on the idle connection, then its RST", () => {
    const idle = afterFault(recorded("host-crash-keepalive")).filter(
      (p) => p.kind === "keepalive-probe" || (p.kind === "rst" && p.from === "client"),
    );
    expect(labels(idle)).toEqual(["keepalive probe", "keepalive probe", "RST"]);
    expect(new Set(idle.map((p) => p.conn)).size).toBe(1);
    // the probes are at snd_una - 1: relative sequence 0, one below the first data byte
    expect(idle.filter((p) => p.kind === "keepalive-probe").map((p) => p.relSeq)).toEqual([0, 0]);
  });

  it("host-crash: the writer's tail loss probe, then retransmissions #1, #2, ... in order", () => {
    const writer = afterFault(recorded("host-crash-keepalive")).filter(
      (p) => p.kind === "tail-loss-probe" || p.kind === "retransmission",
    );
    expect(writer[0].label).toBe("tail loss probe");
    const ks = writer.slice(1).map((p) => p.retransmission);
    expect(ks).toEqual(ks.map((_, i) => i + 1));
    expect(ks.length).toBeGreaterThanOrEqual(4);
    // each RTO retransmission resends from snd_una (relative seq 11 after two 5-byte sends)
    for (const p of writer.slice(1)) expect(p.relSeq).toBe(writer[1].relSeq);
  });

  it("crash-reboot: the rebooted server answers a retransmission with RST", () => {
    const packets = afterFault(recorded("crash-reboot"));
    const rst = packets.findIndex((p) => p.kind === "rst" && p.from === "server");
    expect(rst).toBeGreaterThan(0);
    expect(packets[rst - 1].kind).toBe("retransmission");
    expect(packets[rst - 1].conn).toBe(packets[rst].conn);
  });

  it("host-unreachable: ICMP host unreachable tied to the connection it quotes", () => {
    const packets = afterFault(recorded("host-unreachable"));
    const icmp = packets.filter((p) => p.kind === "icmp-unreachable");
    expect(icmp.length).toBeGreaterThan(0);
    for (const p of icmp) {
      expect(p.label).toBe("ICMP host unreachable");
      expect(p.from).toBe("router");
      expect(p.conn).toMatch(/:7000$/);
    }
    const writer = packets.find((p) => p.kind === "retransmission")?.conn;
    expect(icmp.some((p) => p.conn === writer)).toBe(true);
  });
});

const C = "198.51.100.2";
const S = "203.0.113.2";
function tcp(
  tMs: number,
  fromClient: boolean,
  flags: string,
  seq: number,
  ack: number,
  len = 0,
  win = 500,
): LabelInput {
  return {
    tMs,
    proto: "tcp",
    src: fromClient ? C : S,
    dst: fromClient ? S : C,
    sport: fromClient ? 40000 : 7000,
    dport: fromClient ? 7000 : 40000,
    flags: flags.split(",") as LabelInput["flags"],
    seq,
    ack,
    len,
    win,
  };
}

describe("labelPackets on hand-written sequences", () => {
  const handshake = [
    tcp(0, true, "SYN", 100, 0),
    tcp(1, false, "SYN,ACK", 900, 101),
    tcp(2, true, "ACK", 101, 901),
  ];
  const conn = { id: "writer", client: { ip: C, port: 40000 }, server: { ip: S, port: 7000 } };

  it("names the handshake, data, ACK, FIN and the connection", () => {
    const out = labelPackets(
      [
        ...handshake,
        tcp(3, true, "ACK,PSH", 101, 901, 5),
        tcp(4, false, "ACK", 901, 106),
        tcp(5, false, "FIN,ACK", 901, 106),
      ],
      [conn],
    );
    expect(labels(out)).toEqual(["SYN", "SYN-ACK", "ACK", "data 5 B", "ACK", "FIN"]);
    expect(out.every((p) => p.conn === "writer")).toBe(true);
    expect(out.map((p) => p.from)).toEqual([
      "client",
      "server",
      "client",
      "client",
      "server",
      "server",
    ]);
    expect(out[3].relSeq).toBe(1);
  });

  it("a resent SYN is SYN retransmission #k", () => {
    const out = labelPackets([
      tcp(0, true, "SYN", 100, 0),
      tcp(1000, true, "SYN", 100, 0),
      tcp(2000, true, "SYN", 100, 0),
    ]);
    expect(labels(out)).toEqual(["SYN", "SYN retransmission #1", "SYN retransmission #2"]);
  });

  it("a zero window advert, then a probe at snd_una - 1 is a window probe, not keepalive", () => {
    const out = labelPackets([
      ...handshake,
      tcp(3, true, "ACK,PSH", 101, 901, 5),
      tcp(4, false, "ACK", 901, 106, 0, 0),
      tcp(300, true, "ACK", 105, 901),
    ]);
    expect(labels(out).slice(4)).toEqual(["zero window", "window probe"]);
  });

  it("a one-byte keepalive probe (seq snd_una - 1, len 1) is still a keepalive probe", () => {
    const out = labelPackets([...handshake, tcp(7200, true, "ACK", 100, 901, 1)]);
    expect(out[3].kind).toBe("keepalive-probe");
  });

  it("a resend from snd_una after the minimum RTO with one segment in flight is retransmission #1", () => {
    const out = labelPackets([
      ...handshake,
      tcp(10, true, "ACK,PSH", 101, 901, 5),
      tcp(220, true, "ACK,PSH", 101, 901, 5),
    ]);
    expect(out[4].label).toBe("retransmission #1");
  });
});
