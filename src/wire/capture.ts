// Captures every packet that crosses the lab's router, inside the router's own namespace:
// a packet socket (packet-socket.ts, what `tcpdump -i any` reads through libpcap) in tcpdrop's
// own process, read as the frames come. The router sees both directions of every connection,
// and also what the hosts can no longer see (segments sent into a blackhole, the router's
// ICMP). A forwarded packet is seen twice, arriving and leaving; only the arriving copy is kept
// (its time is when the sending host put it on the wire), plus what the router itself sends.
// Packet times are converted to the CLOCK_MONOTONIC ms that the call events carry.
import { EPOLLIN } from "../agent/libc.js";
import type { Poller } from "../agent/poller.js";
import { SetupError } from "../errors.js";
import { releasePoller, takePoller } from "../lab/shared-poller.js";
import { type ClockPair, realtimeToMonotonicMs, sampleClocks } from "./clock.js";
import { type DecodedPacket, decodeFrame, LINKTYPE_LINUX_SLL2, sentFrom } from "./decode.js";
import { forwardedCopyFilter } from "./forwarded-filter.js";
import { type FrameView, PacketSocket } from "./packet-socket.js";

export interface CaptureOptions {
  /** The namespace to capture in, e.g. the router's /proc/PID/fd/N. */
  netns: string;
  /** The capturing host's own addresses: what it sends from them is kept (ICMP errors). */
  ownAddresses: string[];
  /** Bytes kept of each frame, its cooked header included (headers are enough; default 256). */
  snaplen?: number;
  /** The socket's receive buffer in KiB, a limit on what is queued (SO_RCVBUF; default 8192). */
  bufferKiB?: number;
  /** Each packet kept (what the router received, and sent itself), as it comes. */
  onPacket: (packet: CapturedPacket) => void;
}

export interface CapturedPacket {
  /** CLOCK_MONOTONIC ms, the clock of the call events. */
  tMonoMs: number;
  /** The kernel's CLOCK_REALTIME stamp, in ns. */
  tsNs: bigint;
  origLen: number;
  /** The frame as captured (cooked v2 header included), for a pcapng file: its bytes are
   * reused for the next frame once onPacket returns, so a copy is what to keep. */
  data: Buffer;
  decoded: DecodedPacket | null;
}

/** What a pcapng file of the frames says of them. */
export interface CaptureHeader {
  linktype: number;
  snaplen: number;
}

export interface CaptureResult {
  header: CaptureHeader;
  /** Frames the kernel dropped, the socket's buffer full (0 when the capture is whole). */
  droppedByKernel: number;
}

/** Frames read at most each time the socket is ready (thousands of connections keep it so). */
const FRAMES_PER_WAKE = 512;

export class Capture {
  private readonly own: Set<string>;
  private readonly onPacket: (packet: CapturedPacket) => void;
  private closing: Promise<void> | undefined;
  private failure: string | undefined;

  private constructor(
    /** The captured namespace (its own IP counters are read there: snmp.ts). */
    readonly netns: string,
    private readonly socket: PacketSocket,
    private readonly poller: Poller,
    private readonly clock: ClockPair,
    options: CaptureOptions,
  ) {
    this.own = new Set(options.ownAddresses);
    this.onPacket = options.onPacket;
  }

  /** Open the socket in the namespace; it listens from the moment this resolves. */
  static async start(options: CaptureOptions): Promise<Capture> {
    let socket: PacketSocket;
    try {
      socket = PacketSocket.open(
        options.netns,
        options.snaplen ?? 256,
        (options.bufferKiB ?? 8192) * 1024,
      );
    } catch (err) {
      throw new SetupError(`packet capture: ${(err as Error).message}`);
    }
    try {
      socket.attach(forwardedCopyFilter(options.ownAddresses));
    } catch (err) {
      void socket.close();
      throw new SetupError(`packet capture: ${(err as Error).message}`);
    }
    const capture = new Capture(options.netns, socket, takePoller(), sampleClocks(), options);
    try {
      // a bounded read per wake-up, so that a busy lab cannot keep the event loop from the
      // rest of the run; the epoll loop wakes again while frames are left
      capture.poller.watch(socket.fd, EPOLLIN, () => capture.readSome());
    } catch (err) {
      capture.kill();
      throw new SetupError(`packet capture: ${(err as Error).message}`);
    }
    return capture;
  }

  /** What the epoll loop does when frames are queued; a read that fails ends the capture, and
   * stop() says why. */
  private readSome(): void {
    try {
      this.drain(FRAMES_PER_WAKE);
    } catch (err) {
      this.failure = (err as Error).message;
      this.poller.unwatch(this.socket.fd);
    }
  }

  /** Read the frames the kernel has queued for the capture so far (at most `max`). */
  drain(max?: number): void {
    if (this.closing || this.failure) return;
    this.socket.drain((frame) => this.receive(frame), max);
  }

  private receive(frame: FrameView): void {
    const { data: view } = frame;
    // an outgoing frame is the router's own (kept) or a forwarded copy of one seen arriving
    // (half of all frames: dropped before they are decoded); link-local sources (IPv6
    // neighbour discovery) are never forwarded
    const sentFromAddress = sentFrom(view);
    if (
      sentFromAddress !== null &&
      !this.own.has(sentFromAddress) &&
      !sentFromAddress.startsWith("fe80:")
    )
      return;
    const tsNs = frame.stampNs();
    this.onPacket({
      tMonoMs: realtimeToMonotonicMs(tsNs, this.clock),
      tsNs,
      origLen: frame.origLen,
      data: view,
      decoded: decodeFrame(view),
    });
  }

  /**
   * Stop capturing: no frame is taken after this is called, and those queued before reach
   * onPacket before it resolves. The socket is then closed on a worker thread
   * (packet-socket.ts: the kernel waits an RCU grace period), while tcpdrop tears the lab down
   * and writes its report; its process exits once it is done.
   */
  async stop(): Promise<CaptureResult> {
    try {
      if (this.failure) throw new Error(this.failure);
      this.socket.seal();
      this.drain();
    } catch (err) {
      this.kill();
      throw new SetupError(`packet capture: ${(err as Error).message}`);
    }
    const droppedByKernel = this.socket.droppedFrames();
    this.release();
    return {
      header: { linktype: LINKTYPE_LINUX_SLL2, snaplen: this.socket.snaplen },
      droppedByKernel,
    };
  }

  /** Stop at once (teardown after an error); a capture stopped already ends itself. */
  kill(): void {
    this.release();
  }

  /** Close the socket (on a worker thread: packet-socket.ts), then give the epoll loop back. */
  private release(): void {
    if (this.closing) return;
    this.poller.unwatch(this.socket.fd);
    this.closing = this.socket.close().then(() => releasePoller());
  }
}
