// The pcapng writer, read back by an independent reader: Debian's tshark (package `tshark`).
// Packet count, nanosecond timestamps, comments (calls placed on their nearest packet) and the
// decoded TCP flags must come back as written.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { callComments, nearestIndex } from "../../src/wire/annotate.js";
import { writePcapng } from "../../src/wire/pcapng.js";
import { ipv4IcmpUnreachable, ipv4Tcp } from "./wire-frames.js";

const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!hasTshark) console.warn("skipping the tshark round trip: install Debian's `tshark` package");
const dir = mkdtempSync(join(tmpdir(), "tcpdrop-pcapng-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const seg = { src: "198.51.100.2", dst: "203.0.113.2", sport: 40000, dport: 7000, seq: 1, ack: 1 };
const T0 = 1_764_570_000_000_000_001n;
const frames = [
  ipv4Tcp({ ...seg, flags: 0x02 }),
  ipv4Tcp({ ...seg, flags: 0x18, payload: 5 }),
  ipv4IcmpUnreachable("203.0.113.1", { ...seg, flags: 0x18, payload: 5 }),
  ipv4Tcp({ ...seg, sport: 7000, dport: 40000, src: seg.dst, dst: seg.src, flags: 0x04 }),
];
const times = frames.map((_, i) => T0 + BigInt(i) * 1_234_567n);

function tshark(file: string, fields: string[]): string[][] {
  const args = ["-r", file, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a"];
  const out = spawnSync("tshark", [...args, ...fields.flatMap((f) => ["-e", f])], {
    encoding: "utf8",
  });
  if (out.status !== 0) throw new Error(`tshark failed: ${out.stderr}`);
  return out.stdout
    .trim()
    .split("\n")
    .map((l) => l.split("|"));
}

describe.skipIf(!hasTshark)("writePcapng read back by tshark", () => {
  it("keeps every packet, its nanosecond time and its comments", () => {
    const file = join(dir, "round.pcapng");
    const comments = [["first"], [], ["two", "comments <&> ünïcode"], ["RST here"]];
    writeFileSync(
      file,
      writePcapng({
        comment: "tcpdrop run crash-reboot",
        application: "tcpdrop test",
        interfaces: [{ linktype: 276, snaplen: 262144, name: "any" }],
        packets: frames.map((data, i) => ({
          interfaceId: 0,
          tsNs: times[i],
          data,
          comments: comments[i],
        })),
      }),
    );
    const rows = tshark(file, [
      "frame.number",
      "frame.time_epoch",
      "frame.comment",
      "_ws.col.Protocol",
    ]);
    expect(rows.length).toBe(4);
    expect(rows.map((r) => r[1])).toEqual(
      times.map((t) => `${t / 1_000_000_000n}.${String(t % 1_000_000_000n).padStart(9, "0")}`),
    );
    expect(rows.map((r) => r[2])).toEqual(["first", "", "two,comments <&> ünïcode", "RST here"]);
    expect(rows.map((r) => r[3])).toEqual(["TCP", "TCP", "ICMP", "TCP"]);
    const flags = tshark(file, ["tcp.flags.syn", "tcp.flags.reset", "icmp.code"]);
    expect(flags[0][0]).toBe("1");
    expect(flags[3][1]).toBe("1");
    expect(flags[2][2]).toBe("1");
  });

  it("puts each call on its nearest packet, saying how far from it", () => {
    const ms = times.map((t) => Number(t - T0) / 1e6);
    const notes = callComments(
      ms,
      [
        { tMonoMs: 3.8, side: "client", conn: "writer", call: "recv", result: "ECONNRESET" },
        { tMonoMs: -5, side: "client", conn: "writer", call: "connect", result: "OK" },
      ],
      1,
    );
    expect([...notes.keys()].sort()).toEqual([0, 3]);
    expect(notes.get(3)?.[0]).toBe(
      "tcpdrop +2.800 ms client writer: recv ECONNRESET (96 µs after this packet)",
    );
    expect(notes.get(0)?.[0]).toMatch(
      /^tcpdrop -6\.000 ms client writer: connect OK \(5000 µs before/,
    );
    const file = join(dir, "calls.pcapng");
    writeFileSync(
      file,
      writePcapng({
        interfaces: [{ linktype: 276, snaplen: 262144 }],
        packets: frames.map((data, i) => ({
          interfaceId: 0,
          tsNs: times[i],
          data,
          comments: notes.get(i),
        })),
      }),
    );
    const rows = tshark(file, ["frame.comment"]);
    expect(rows[3][0]).toContain("recv ECONNRESET");
  });
});

describe("nearestIndex", () => {
  it("finds the nearest time, ties to the earlier one, -1 when empty", () => {
    expect(nearestIndex([], 5)).toBe(-1);
    expect(nearestIndex([1, 3, 10], 2)).toBe(0);
    expect(nearestIndex([1, 3, 10], 7)).toBe(2);
    expect(nearestIndex([1, 3, 10], 100)).toBe(2);
    expect(nearestIndex([1, 3, 10], -100)).toBe(0);
  });

  it("rejects a packet on an interface that does not exist", () => {
    expect(() =>
      writePcapng({
        interfaces: [],
        packets: [{ interfaceId: 0, tsNs: 0n, data: Buffer.alloc(0) }],
      }),
    ).toThrow(/interface 0/);
  });
});
