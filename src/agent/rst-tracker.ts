// The router's firewall eye (middlebox-reset): a packet socket that sees every IPv4 segment the
// router forwards, in both directions, feeds a FlowTable; on request it sends the RSTs that end
// every client flow at both ends through raw IP sockets. It runs in the router's namespace
// only (an agent started there); IPv4 only for now.
import type { OpenSocket } from "./context.js";
import {
  AF_INET,
  AF_PACKET,
  EPOLLIN,
  errnoName,
  lastErrno,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  sockaddr,
  sys,
} from "./libc.js";
import type { Poller } from "./poller.js";
import { FlowTable, parseSegment } from "./segments.js";

const SOCK_RAW = 3;
const IPPROTO_RAW = 255;
/** htons(ETH_P_IP): IPv4 packets, link header stripped (SOCK_DGRAM). */
const ETH_P_IP_BE = 0x0008;

export class RstTracker {
  private readonly table = new FlowTable();
  private readonly fd: number;
  private readonly buffer = Buffer.alloc(65536);

  constructor(
    private readonly poller: Poller,
    private readonly openSocket: OpenSocket,
    private readonly clientPrefix: string,
  ) {
    this.fd = openSocket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, ETH_P_IP_BE);
    if (this.fd < 0) throw new Error(`packet socket: ${errnoName(lastErrno())}`);
    poller.watch(this.fd, EPOLLIN, () => this.drain());
  }

  private drain(): void {
    for (;;) {
      const n = Number(sys.recv(this.fd, this.buffer, this.buffer.length, MSG_DONTWAIT));
      if (n <= 0) return;
      const segment = parseSegment(this.buffer.subarray(0, n));
      if (segment) this.table.see(segment);
    }
  }

  /** Send a RST to both ends of every client flow seen; how many flows were reset. */
  resetAll(): number {
    this.drain();
    const packets = this.table.resets(this.clientPrefix);
    for (const packet of packets) {
      const dst = `${packet[16]}.${packet[17]}.${packet[18]}.${packet[19]}`;
      const fd = this.openSocket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
      if (fd < 0) throw new Error(`raw socket: ${errnoName(lastErrno())}`);
      const addr = sockaddr(dst, 0);
      const sent =
        sys.connect(fd, addr, addr.length) === 0 && Number(sys.send(fd, packet, packet.length, 0));
      const error = sent === packet.length ? null : errnoName(lastErrno());
      sys.close(fd);
      if (error) throw new Error(`send RST to ${dst}: ${error}`);
    }
    return packets.length / 2;
  }

  /**
   * Stop following: the packet socket is closed on a worker thread (koffi's async call), as
   * releasing a packet socket waits for an RCU grace period (packet_release: synchronize_net,
   * tens of ms), which would otherwise stall every lab's calls and the teardown.
   */
  stop(): void {
    this.poller.unwatch(this.fd);
    sys.close.async(this.fd, () => {});
  }
}
