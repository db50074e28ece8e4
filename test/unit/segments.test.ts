import { describe, expect, it } from "vitest";
import {
  checksum,
  FlowTable,
  parseSegment,
  rstPacket,
  type Segment,
  TCP_ACK,
  TCP_RST,
  TCP_SYN,
} from "../../src/agent/segments.js";

const C = "198.51.100.2";
const S = "203.0.113.2";

/** A segment as the router would see it, built with the same packet writer. */
function seen(
  src: string,
  sport: number,
  dst: string,
  dport: number,
  seq: number,
  flags: number,
  payload = 0,
): Segment {
  const base = parseSegment(rstPacket(src, sport, dst, dport, seq, 0));
  if (!base) throw new Error("unparsable");
  const syn = flags & TCP_SYN ? 1 : 0;
  return { ...base, flags, length: payload + syn };
}

describe("rstPacket", () => {
  it("is a valid IPv4 RST|ACK: both checksums verify, and it parses back", () => {
    const packet = rstPacket(S, 7000, C, 40000, 0xfffffff0, 123);
    expect(checksum(packet.subarray(0, 20))).toBe(0);
    const pseudo = Buffer.concat([
      packet.subarray(12, 20),
      Buffer.from([0, 6, 0, 20]),
      packet.subarray(20),
    ]);
    expect(checksum(pseudo)).toBe(0);
    expect(parseSegment(packet)).toEqual({
      src: S,
      sport: 7000,
      dst: C,
      dport: 40000,
      seq: 0xfffffff0,
      ack: 123,
      flags: TCP_RST | TCP_ACK,
      length: 0,
    });
  });

  it("parseSegment ignores what is not TCP over IPv4", () => {
    const udp = rstPacket(S, 1, C, 2, 0, 0);
    udp[9] = 17;
    expect(parseSegment(udp)).toBeNull();
    expect(parseSegment(Buffer.alloc(10))).toBeNull();
  });
});

describe("FlowTable", () => {
  it("after a handshake and data, resets both ends with the sequence numbers they expect", () => {
    const table = new FlowTable();
    table.see(seen(C, 40000, S, 7000, 1000, TCP_SYN));
    table.see(seen(S, 7000, C, 40000, 5000, TCP_SYN | TCP_ACK));
    table.see(seen(C, 40000, S, 7000, 1001, TCP_ACK, 5));
    const [toClient, toServer] = table.resets("198.51.100.").map((p) => parseSegment(p));
    expect(toClient).toMatchObject({ src: S, dst: C, dport: 40000, seq: 5001, ack: 1006 });
    expect(toServer).toMatchObject({ src: C, dst: S, dport: 7000, seq: 1006, ack: 5001 });
  });

  it("a retransmission does not move a direction back, across the 2^32 wrap too", () => {
    const table = new FlowTable();
    table.see(seen(C, 1, S, 7000, 0xfffffffe, TCP_ACK, 4)); // ends at 2 after the wrap
    table.see(seen(C, 1, S, 7000, 0xfffffffe, TCP_ACK, 2)); // an older, shorter copy
    table.see(seen(S, 7000, C, 1, 10, TCP_ACK));
    const toServer = parseSegment(table.resets("198.51.100.")[1]);
    expect(toServer?.seq).toBe(2);
  });

  it("forgets a flow that was reset, and needs both directions before it can reset one", () => {
    const table = new FlowTable();
    table.see(seen(C, 1, S, 7000, 1, TCP_ACK));
    expect(table.resets("198.51.100.")).toEqual([]);
    table.see(seen(S, 7000, C, 1, 1, TCP_ACK));
    expect(table.resets("198.51.100.")).toHaveLength(2);
    table.see(seen(S, 7000, C, 1, 1, TCP_RST));
    expect(table.resets("198.51.100.")).toEqual([]);
  });
});
