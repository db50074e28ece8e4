// The capture's frames: the cooked v2 header (LINKTYPE_LINUX_SLL2) built from the struct
// sockaddr_ll that recvfrom(2) fills in for a packet socket, byte for byte as libpcap writes it
// for the "any" device, and read back by the decoder.
import { describe, expect, it } from "vitest";
import { decodeFrame, SLL2_HEADER, sentFrom } from "../../src/wire/decode.js";
import { cookedV2Header } from "../../src/wire/packet-socket.js";
import { ipv4Tcp } from "./wire-frames.js";

/** struct sockaddr_ll as the kernel fills it in (host byte order but sll_protocol). */
function sockaddrLl(o: { protocol: number; ifindex: number; pkttype: number }): Buffer {
  const a = Buffer.alloc(20);
  a.writeUInt16LE(17, 0); // AF_PACKET
  a.writeUInt16BE(o.protocol, 2); // network byte order
  a.writeInt32LE(o.ifindex, 4);
  a.writeUInt16LE(1, 8); // ARPHRD_ETHER
  a[10] = o.pkttype;
  a[11] = 6;
  Buffer.from([0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]).copy(a, 12);
  return a;
}

const seg = {
  src: "198.51.100.2",
  dst: "203.0.113.2",
  sport: 40000,
  dport: 7000,
  flags: 0x12,
  seq: 1,
  ack: 2,
  payload: 0,
};

describe("cookedV2Header", () => {
  it("lays sockaddr_ll out as libpcap's cooked v2: protocol, reserved, ifindex, type, pkttype, address", () => {
    const out = Buffer.alloc(SLL2_HEADER);
    cookedV2Header(sockaddrLl({ protocol: 0x86dd, ifindex: 0x01020304, pkttype: 4 }), out);
    expect(out.toString("hex")).toBe(
      ["86dd", "0000", "01020304", "0001", "04", "06", "02005e1000010000"].join(""),
    );
  });

  it("gives frames the decoder reads: the IP packet after it, its direction and link", () => {
    const packet = ipv4Tcp(seg).subarray(SLL2_HEADER); // the IP packet recvfrom returns
    const frame = Buffer.concat([Buffer.alloc(SLL2_HEADER), packet]);
    cookedV2Header(sockaddrLl({ protocol: 0x0800, ifindex: 7, pkttype: 0 }), frame);
    expect(decodeFrame(frame)).toMatchObject({
      src: "198.51.100.2",
      dst: "203.0.113.2",
      flags: ["SYN", "ACK"],
      outgoing: false,
      ifindex: 7,
    });
    expect(sentFrom(frame)).toBeNull();
    cookedV2Header(sockaddrLl({ protocol: 0x0800, ifindex: 7, pkttype: 4 }), frame);
    expect(sentFrom(frame)).toBe("198.51.100.2");
  });
});
