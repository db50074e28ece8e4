// The frame decoder on frames built like the capture's (Linux cooked v2, as tcpdump -i any's).
import { describe, expect, it } from "vitest";
import { decodeFrame, ipv6 } from "../../src/wire/decode.js";
import { ipv4IcmpUnreachable, ipv4Tcp, ipv6Tcp } from "./wire-frames.js";

const seg = {
  src: "198.51.100.2",
  dst: "203.0.113.2",
  sport: 40000,
  dport: 7000,
  flags: 0x18,
  seq: 0xfffffff0,
  ack: 77,
  payload: 5,
};

describe("decodeFrame", () => {
  it("reads a TCP segment: ports, flags, 32-bit sequence numbers, payload length", () => {
    const p = decodeFrame(ipv4Tcp(seg));
    expect(p).toMatchObject({
      proto: "tcp",
      src: "198.51.100.2",
      dst: "203.0.113.2",
      sport: 40000,
      dport: 7000,
      seq: 0xfffffff0,
      ack: 77,
      len: 5,
      outgoing: false,
      ifindex: 3,
    });
    expect(p?.flags).toEqual(["ACK", "PSH"]);
  });

  it("reads an ICMP host unreachable and the segment it quotes", () => {
    const p = decodeFrame(ipv4IcmpUnreachable("198.51.100.1", seg));
    expect(p?.outgoing).toBe(true);
    expect(p?.icmp).toEqual({
      what: "host-unreachable",
      type: 3,
      code: 1,
      inner: { src: seg.src, dst: seg.dst, sport: 40000, dport: 7000, seq: 0xfffffff0 },
    });
    expect(decodeFrame(ipv4IcmpUnreachable("198.51.100.1", seg, 0))?.icmp?.what).toBe(
      "net-unreachable",
    );
  });

  it("reads IPv6 and prints addresses in RFC 5952 form", () => {
    const a = Buffer.from("20010db8000100000000000000000002", "hex");
    const b = Buffer.from("20010db8000200000000000000000002", "hex");
    const p = decodeFrame(ipv6Tcp(a, b, { ...seg, flags: 0x02, payload: 0 }));
    expect(p).toMatchObject({ src: "2001:db8:1::2", dst: "2001:db8:2::2", flags: ["SYN"] });
    expect(ipv6(Buffer.from("fe800000000000000000000000000001", "hex"), 0)).toBe("fe80::1");
    expect(ipv6(Buffer.from("00010000000100000000000000000000", "hex"), 0)).toBe("1:0:1::");
  });

  it("returns null for what is not IP (an ARP frame) or too short", () => {
    const arp = Buffer.concat([Buffer.from([0x08, 0x06]), Buffer.alloc(18 + 28)]);
    expect(decodeFrame(arp)).toBeNull();
    expect(decodeFrame(Buffer.alloc(10))).toBeNull();
  });
});
