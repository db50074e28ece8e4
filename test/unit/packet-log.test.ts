// What a run keeps of its capture (src/wire/packet-log.ts): at scale only counts, whose kinds
// must be exactly what labelling the kept packets would have counted; frames and decoded
// packets only when a file reporter asked for them.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DecodedPacket } from "../../src/wire/decode.js";
import { type LabelInput, labelPackets } from "../../src/wire/label.js";
import { KEEP_NOTHING, PacketLog } from "../../src/wire/packet-log.js";

function recorded(name: string): LabelInput[] {
  const url = new URL(`fixtures/wire/${name}.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { packets: LabelInput[] }).packets;
}

function fill(log: PacketLog, packets: LabelInput[]): void {
  packets.forEach((p, i) => {
    const { tMs, ...rest } = p;
    const decoded: DecodedPacket = { ...rest, outgoing: i % 5 === 0 };
    log.add({ tMonoMs: 1000 + tMs, tsNs: BigInt(i), origLen: 60, data: Buffer.alloc(4), decoded });
  });
}

describe("PacketLog", () => {
  for (const name of ["crash-reboot", "host-crash-keepalive", "host-unreachable"]) {
    it(`${name}: counts the kinds labelPackets gives, and keeps nothing else`, () => {
      const packets = recorded(name);
      const log = new PacketLog(KEEP_NOTHING);
      fill(log, packets);
      const expected: Record<string, number> = {};
      for (const p of labelPackets(packets)) expected[p.kind] = (expected[p.kind] ?? 0) + 1;
      expect(JSON.stringify(log.byKind)).toBe(JSON.stringify(expected));
      expect(log.count).toBe(packets.length);
      expect(log.packets).toBeNull();
      expect(log.frames).toBeNull();
    });
  }

  it("keeps frames (even undecoded ones) and packets when asked, and counts by direction", () => {
    const packets = recorded("host-unreachable");
    const log = new PacketLog({ frames: true, packets: true });
    fill(log, packets);
    log.add({ tMonoMs: 0, tsNs: 0n, origLen: 42, data: Buffer.alloc(42), decoded: null });
    expect(log.frames).toHaveLength(packets.length + 1);
    expect(log.packets).toHaveLength(packets.length);
    expect(log.byKind).toEqual({});
    const all = log.between(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
    expect(all.sent).toBe(Math.ceil(packets.length / 5));
    expect(all.received + all.sent).toBe(packets.length);
    const first = 1000 + packets[0].tMs;
    expect(log.between(first, first)).toEqual({ received: 0, sent: 1 });
  });

  it("grows past its first arrays", () => {
    const log = new PacketLog(KEEP_NOTHING);
    const many = Array.from({ length: 3 }, () => recorded("crash-reboot")).flat();
    for (let i = 0; i < 80; i++) fill(log, many);
    expect(log.count).toBe(many.length * 80);
    expect(
      log.between(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY).received,
    ).toBeGreaterThan(0);
  });
});
