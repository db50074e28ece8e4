// End to end, as root: the capture socket's filter (src/wire/forwarded-filter.ts) in a real
// router namespace. A datagram the router forwards reaches a plain packet socket twice,
// arriving and leaving; a socket with the filter gets only the arriving copy. That the router's
// own packets still pass (its ICMP errors) is wire-capture.test.ts's host-unreachable case.
import { describe, expect, it } from "vitest";
import { familyOf, SOCK_CLOEXEC, SOCK_DGRAM, sockaddr, sys } from "../../src/agent/libc.js";
import { IPV4, IPV6 } from "../../src/lab/addresses.js";
import { Host } from "../../src/lab/host.js";
import { inNetns } from "../../src/lab/netns.js";
import { wire } from "../../src/lab/topology.js";
import { forwardedCopyFilter } from "../../src/wire/forwarded-filter.js";
import { PacketSocket } from "../../src/wire/packet-socket.js";
import { isRoot } from "./helpers.js";

const PACKET_OUTGOING = 4;
const UDP = 17;

/** The UDP frames a socket read, by direction (the cooked header's packet type). */
function udpFrames(socket: PacketSocket): { arriving: number; leaving: number } {
  const seen = { arriving: 0, leaving: 0 };
  socket.drain(({ data }) => {
    const v4 = data.readUInt16BE(0) === 0x0800;
    const protocol = v4 ? data[20 + 9] : data[20 + 6]; // IPv4 protocol, IPv6 next header
    if (protocol !== UDP) return;
    if (data[10] === PACKET_OUTGOING) seen.leaving++;
    else seen.arriving++;
  });
  return seen;
}

function add(to: { arriving: number; leaving: number }, more: typeof to): void {
  to.arriving += more.arriving;
  to.leaving += more.leaving;
}

/** One datagram from the client to the server's discard port, through the router. */
function sendDatagram(client: Host, to: string): void {
  inNetns(client.netns, () => {
    const fd = sys.socket(familyOf(to), SOCK_DGRAM | SOCK_CLOEXEC, 0);
    const address = sockaddr(to, 9);
    expect(sys.connect(fd, address, address.length)).toBe(0);
    expect(sys.send(fd, Buffer.from("ping"), 4, 0)).toBe(4);
    sys.close(fd);
  });
}

describe.skipIf(!isRoot)("the capture's filter in a router namespace", () => {
  for (const plan of [IPV4, IPV6]) {
    it(`keeps the arriving copy of a forwarded datagram, not the leaving one (${plan.family})`, async () => {
      const [client, router, server] = await Promise.all(
        ["client", "router", "server"].map((name) => Host.start(name)),
      );
      const plain = PacketSocket.open(router.netns, 256, 1 << 20);
      const filtered = PacketSocket.open(router.netns, 256, 1 << 20);
      try {
        filtered.attach(forwardedCopyFilter([plan.routerClient, plan.routerServer]));
        await wire(plan, { client, router, server }, {});
        sendDatagram(client, plan.server);
        // until the router has forwarded it (after neighbour discovery toward the server)
        const seenPlain = { arriving: 0, leaving: 0 };
        const seenFiltered = { arriving: 0, leaving: 0 };
        for (let waited = 0; seenPlain.leaving === 0 && waited < 2000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
          add(seenPlain, udpFrames(plain));
          add(seenFiltered, udpFrames(filtered));
        }
        expect(seenPlain).toEqual({ arriving: 1, leaving: 1 });
        expect(seenFiltered).toEqual({ arriving: 1, leaving: 0 });
      } finally {
        await Promise.all([plain.close(), filtered.close()]);
        for (const host of [client, router, server]) host.kill();
      }
    });
  }
});
