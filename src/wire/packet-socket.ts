// The capture's socket: one AF_PACKET socket (packet(7)) in the router's namespace, the kernel
// interface under tcpdump's libpcap. On the wire it changes nothing: the kernel hands it a copy
// of every frame that arrives at or leaves any of the namespace's links, links made later
// included (the socket is bound to no device), stamped with CLOCK_REALTIME as it passes.
//
// It is read with recvfrom(2), not through a memory-mapped ring as libpcap does: a ring costs
// an RCU grace period when it is set up, and another when the socket closes, on top of the one
// every packet socket waits for at close. The socket is SOCK_DGRAM ("cooked"): the kernel strips each frame's link header
// and says in the sender's address which link, which direction and which protocol it was, from
// which this builds the 20-byte Linux "cooked v2" header (LINKTYPE_LINUX_SLL2) that
// `tcpdump -i any` writes, so that the frames decode and land in a pcapng exactly as before.
// The socket lives in tcpdrop's own process: a killed tcpdrop takes it (and its hold on the
// router's namespace) with it.
import koffi from "../agent/koffi.js";
import {
  AF_PACKET,
  EAGAIN,
  errnoName,
  int32,
  lastErrno,
  MSG_DONTWAIT,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
  sys,
} from "../agent/libc.js";
import { inNetns } from "../lab/netns.js";
import { SLL2_HEADER } from "./decode.js";

/** htons(ETH_P_ALL): every protocol. */
export const ETH_P_ALL_NET = 0x0300;
const SOL_PACKET = 263;
const PACKET_STATISTICS = 6;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
const SO_ATTACH_FILTER = 26;
/** Classic BPF "ret #k". */
const BPF_RET_K = 0x06;
/** The time stamp of the last packet read (struct timespec, CLOCK_REALTIME). */
const SIOCGSTAMPNS = 0x8907;
const MSG_TRUNC = 0x20;
const ENOENT = 2;

/** struct sockaddr_ll. */
const SOCKADDR_LL = 20;

/** A frame just read: valid only until the next one is read (its bytes are reused). */
export interface FrameView {
  /** The frame's length with its cooked header, however much of it was kept. */
  origLen: number;
  /** A cooked v2 header and the first bytes of the packet (up to the snap length in all). */
  data: Buffer;
  /** The kernel's CLOCK_REALTIME stamp of it, in ns (one more system call: ask only for the
   * frames kept). */
  stampNs(): bigint;
}

export class PacketSocket {
  private readonly addr = Buffer.alloc(SOCKADDR_LL);
  private readonly addrLen = Buffer.alloc(4);
  private readonly stamp = Buffer.alloc(16);
  /** Frames the kernel dropped, the buffer full, as counted so far. */
  private dropped = 0;
  /** The frame being read: its cooked header, then the packet (`payload`). */
  private readonly frame: Buffer;
  private readonly payload: Buffer;

  private constructor(
    readonly fd: number,
    readonly snaplen: number,
  ) {
    this.frame = Buffer.alloc(snaplen);
    this.payload = this.frame.subarray(SLL2_HEADER);
  }

  /** Open a socket in the namespace at `netns`, with a receive buffer of `bufferBytes`. */
  static open(netns: string, snaplen: number, bufferBytes: number): PacketSocket {
    const fd = inNetns(netns, () =>
      sys.socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, ETH_P_ALL_NET),
    );
    if (fd < 0) throw new Error(`packet socket: ${errnoName(lastErrno())}`);
    const size = int32(bufferBytes);
    // past net.core.rmem_max needs CAP_NET_ADMIN in the machine's own user namespace, which
    // root has; a rootless run gets the machine's net.core.rmem_max, and what does not fit is
    // counted as dropped
    if (sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) !== 0) {
      sys.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    }
    const socket = new PacketSocket(fd, snaplen);
    try {
      // the first SIOCGSTAMPNS turns time stamping on for the frames that follow (ENOENT:
      // none read yet)
      socket.readStamp();
    } catch (err) {
      sys.close(fd);
      throw err;
    }
    return socket;
  }

  /**
   * Hand `onFrame` the frames queued now, oldest first, up to `max` of them (a busy link queues
   * new ones as fast as they are read, so a reader that wants to yield says how many it takes).
   */
  drain(onFrame: (frame: FrameView) => void, max = Number.POSITIVE_INFINITY): void {
    const { payload } = this;
    const view = { origLen: 0, data: this.frame, stampNs: () => this.readStamp() };
    for (let taken = 0; taken < max; taken++) {
      this.addrLen.writeUInt32LE(SOCKADDR_LL);
      const n = Number(
        sys.recvfrom(
          this.fd,
          payload,
          payload.length,
          MSG_TRUNC | MSG_DONTWAIT,
          this.addr,
          this.addrLen,
        ),
      );
      if (n < 0) {
        const errno = lastErrno();
        if (errno === EAGAIN) return;
        throw new Error(`packet socket: recvfrom: ${errnoName(errno)}`);
      }
      cookedV2Header(this.addr, this.frame);
      view.origLen = SLL2_HEADER + n;
      view.data = this.frame.subarray(0, SLL2_HEADER + Math.min(n, payload.length));
      onFrame(view);
    }
  }

  /**
   * Take no more frames: a filter that keeps none (one classic BPF instruction, "ret #0") is
   * attached, so that the frames queued before it can be read to the end while the lab still
   * carries packets. The kernel neither queues nor counts what the filter drops.
   */
  seal(): void {
    const keepNone = Buffer.alloc(8); // struct sock_filter { code: BPF_RET|BPF_K, jt, jf, k: 0 }
    keepNone.writeUInt16LE(BPF_RET_K, 0);
    this.attach(keepNone);
  }

  /** Filter the frames with a classic BPF program (struct sock_filter[], 8 bytes each), in
   * place of any before it. */
  attach(filter: Buffer): void {
    const program = Buffer.alloc(16); // struct sock_fprog { len, filter }
    program.writeUInt16LE(filter.length / 8, 0);
    program.writeBigUInt64LE(koffi.address(filter), 8);
    if (sys.setsockopt(this.fd, SOL_SOCKET, SO_ATTACH_FILTER, program, 16) !== 0) {
      throw new Error(`packet socket: SO_ATTACH_FILTER: ${errnoName(lastErrno())}`);
    }
  }

  /** Frames the kernel dropped so far, its buffer full (PACKET_STATISTICS' tp_drops; reading
   * them resets the kernel's count, so they are added up here). */
  droppedFrames(): number {
    const stats = Buffer.alloc(8); // struct tpacket_stats { tp_packets, tp_drops }
    if (sys.getsockopt(this.fd, SOL_PACKET, PACKET_STATISTICS, stats, int32(8)) === 0) {
      this.dropped += stats.readUInt32LE(4);
    }
    return this.dropped;
  }

  /**
   * Close the socket on one of koffi's worker threads: the kernel waits an RCU grace period
   * before a packet socket is gone, which the main thread spends on the teardown and the
   * report meanwhile. Resolves once it is closed (the process waits for it before exiting).
   */
  close(): Promise<void> {
    return new Promise((resolve) => {
      sys.close.async(this.fd, () => resolve());
    });
  }

  private readStamp(): bigint {
    if (sys.ioctl(this.fd, SIOCGSTAMPNS, this.stamp) !== 0) {
      const errno = lastErrno();
      if (errno !== ENOENT) throw new Error(`packet socket: SIOCGSTAMPNS: ${errnoName(errno)}`);
      return 0n;
    }
    return this.stamp.readBigInt64LE(0) * 1_000_000_000n + this.stamp.readBigInt64LE(8);
  }
}

/**
 * The cooked v2 header libpcap writes for the "any" device (LINKTYPE_LINUX_SLL2), from the
 * struct sockaddr_ll that recvfrom(2) filled in for the frame, into the first 20 bytes of `out`.
 */
export function cookedV2Header(sockaddrLl: Buffer, out: Buffer): void {
  const a = sockaddrLl;
  out.writeUInt16BE(a.readUInt16BE(2), 0); // protocol (sll_protocol is already big-endian)
  out.writeUInt16BE(0, 2); // reserved
  out.writeUInt32BE(a.readInt32LE(4) >>> 0, 4); // interface index
  out.writeUInt16BE(a.readUInt16LE(8), 8); // ARPHRD type
  out[10] = a[10]; // packet type: PACKET_HOST, PACKET_OUTGOING...
  out[11] = a[11]; // link-layer address length
  a.copy(out, 12, 12, 20); // link-layer address
}
