// Captures every packet that crosses the lab's router, inside the router's own namespace:
// `tcpdump -i any` (Debian's tcpdump) writes a nanosecond pcap stream to a pipe, unbuffered,
// and this reads it as it comes. The router sees both directions of every connection, and
// also what the hosts can no longer see (segments sent into a blackhole, the router's ICMP).
// With `-i any` a forwarded packet is seen twice, arriving and leaving; only the arriving copy
// is kept (its time is when the sending host put it on the wire), plus what the router itself
// sends. Packet times are converted to the CLOCK_MONOTONIC ms that the call events carry.
import { SetupError } from "../errors.js";
import { type PipedChild, pipedSpawn } from "../lab/piped-spawn.js";
import { forget, remember } from "../lab/registry.js";
import { type ClockPair, realtimeToMonotonicMs, sampleClocks } from "./clock.js";
import { type DecodedPacket, decodeFrame, sentFrom } from "./decode.js";
import { type PcapHeader, PcapStreamReader } from "./pcap-stream.js";

const START_TIMEOUT_MS = 5000;

// tcpdump would outlive a killed tcpdrop (it holds the router's namespace, and with no packet
// to write it never notices the closed pipe; a parent-death signal does not survive its
// dropping of privileges). So a shell runs it and waits on tcpdrop's pipe: when tcpdrop closes
// it, or dies and the kernel closes it, tcpdump gets SIGINT, writes its counts and exits. Only
// tcpdump keeps the output pipes open, so that they close the moment it exits; the shell ends
// after both its children, so that none outlives tcpdrop's wait for it.
const WATCHDOG = [
  "exec 3<&0",
  'tcpdump "$@" </dev/null & pid=$!',
  'echo "tcpdump-pid $pid" >&2',
  '{ read _ <&3; kill -INT "$pid" 2>/dev/null; } >/dev/null 2>&1 &',
  "exec >/dev/null 2>&1",
  "wait",
].join("\n");
const STOP_TIMEOUT_MS = 3000;

export interface CaptureOptions {
  /** The namespace to capture in, e.g. the router's /proc/PID/ns/net. */
  netns: string;
  /** The capturing host's own addresses: what it sends from them is kept (ICMP errors). */
  ownAddresses: string[];
  /** Bytes kept of each packet (headers are enough; default 256). */
  snaplen?: number;
  /** Kernel capture buffer in KiB (tcpdump -B; default 8192). */
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
  /** The frame as captured (link-layer header included), for a pcapng file. */
  data: Buffer;
  decoded: DecodedPacket | null;
}

export interface CaptureStats {
  /** Frames tcpdump wrote, both copies of forwarded packets included. */
  frames: number;
  /** tcpdump's own counts at exit. */
  captured: number | null;
  receivedByFilter: number | null;
  droppedByKernel: number | null;
}

export interface CaptureResult {
  header: PcapHeader;
  stats: CaptureStats;
  /** The clock pairing at start and at stop (their difference is the drift during the run). */
  clocks: { start: ClockPair; stop: ClockPair };
}

export class Capture {
  private readonly reader = new PcapStreamReader();
  private frames = 0;
  private stderr = "";
  private readonly exited: Promise<void>;
  private readonly own: Set<string>;
  private readonly onPacket: (packet: CapturedPacket) => void;
  private tcpdumpPid = 0;
  private stopping = false;

  private constructor(
    private readonly child: PipedChild,
    private readonly clock: ClockPair,
    options: CaptureOptions,
  ) {
    this.own = new Set(options.ownAddresses);
    this.onPacket = options.onPacket;
    child.stdin.on("error", () => {});
    this.exited = child.closed.then(() => {
      if (this.tcpdumpPid) forget(this.tcpdumpPid);
    });
    child.stdout.on("data", (chunk: Buffer) => this.receive(chunk));
    child.stderr.on("data", (chunk) => {
      this.stderr += chunk;
      const m = /tcpdump-pid (\d+)/.exec(this.stderr);
      if (m && !this.tcpdumpPid) {
        this.tcpdumpPid = Number(m[1]);
        remember(this.tcpdumpPid); // so that tcpdrop's signal handler ends it too
      }
    });
  }

  /** Start tcpdump in the namespace; resolves once it is listening. */
  static async start(options: CaptureOptions): Promise<Capture> {
    const tcpdump = [
      ...["-i", "any", "-n", "-U", "-w", "-", "-Z", "root"],
      ...["-s", String(options.snaplen ?? 256), "-B", String(options.bufferKiB ?? 8192)],
      "--time-stamp-precision=nano",
      "--immediate-mode",
    ];
    const argv = [`--net=${options.netns}`, "--", "sh", "-c", WATCHDOG, "sh", ...tcpdump];
    const child = await pipedSpawn("nsenter", argv).catch((err: Error) => {
      throw new SetupError(`cannot start tcpdump: nsenter: ${err.message}`);
    });
    const capture = new Capture(child, sampleClocks(), options);
    return capture.listening();
  }

  private listening(): Promise<Capture> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail("did not start listening"), START_TIMEOUT_MS);
      const fail = (why: string) => {
        clearTimeout(timer);
        this.kill();
        reject(new SetupError(`packet capture: tcpdump ${why}`));
      };
      const onData = () => {
        if (!/listening on/.test(this.stderr)) return;
        clearTimeout(timer);
        this.child.stderr.off("data", onData);
        resolve(this);
      };
      this.child.stderr.on("data", onData);
      this.exited.then(() => fail(`exited: ${this.stderr.trim().split("\n").pop() ?? ""}`));
    });
  }

  private receive(chunk: Buffer): void {
    for (const record of this.reader.push(chunk)) {
      this.frames++;
      const linktype = this.reader.header?.linktype ?? 0;
      // an outgoing frame is the router's own (kept) or a forwarded copy of one seen arriving
      // (half of all frames: dropped before they are decoded); link-local sources (IPv6
      // neighbour discovery) are never forwarded
      const sentFromAddress = sentFrom(linktype, record.data);
      if (
        sentFromAddress !== null &&
        !this.own.has(sentFromAddress) &&
        !sentFromAddress.startsWith("fe80:")
      )
        continue;
      const decoded = decodeFrame(linktype, record.data);
      this.onPacket({
        tMonoMs: realtimeToMonotonicMs(record.tsNs, this.clock),
        tsNs: record.tsNs,
        origLen: record.origLen,
        data: record.data,
        decoded,
      });
    }
  }

  /**
   * Stop capturing (closing the pipe: tcpdump gets SIGINT, prints its counts); the last
   * packets reach onPacket before this resolves. It resolves once tcpdump has printed its
   * counts and every packet it counted has been read, not when it has exited: releasing its
   * packet socket takes the kernel RCU grace periods (~25 ms measured here), which tcpdump
   * spends while tcpdrop writes its report. tcpdrop's event loop still waits for that exit
   * (the child's pipes and poll keep it alive), so no tcpdump outlives tcpdrop.
   */
  async stop(): Promise<CaptureResult> {
    this.stopping = true;
    this.child.stdin.end();
    // and SIGINT straight to tcpdump: the watchdog's own kill waits until its shell is run
    if (this.tcpdumpPid && this.child.running) {
      try {
        process.kill(this.tcpdumpPid, "SIGINT");
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(() => this.end(), STOP_TIMEOUT_MS);
    void this.exited.then(() => clearTimeout(timer));
    await Promise.race([this.exited, this.allRead()]);
    const count = (what: string) => countIn(this.stderr, what);
    if (!this.reader.header) throw new SetupError("packet capture: tcpdump wrote no pcap header");
    return {
      header: this.reader.header,
      stats: {
        frames: this.frames,
        captured: count("captured"),
        receivedByFilter: count("received by filter"),
        droppedByKernel: count("dropped by kernel"),
      },
      clocks: { start: this.clock, stop: sampleClocks() },
    };
  }

  /** A PID in the captured namespace (the watchdog shell, alive as long as tcpdump is):
   * /proc/PID/net/* shows that namespace's own counters. */
  get pid(): number {
    return this.child.pid;
  }

  /** The PID of tcpdump itself (0 until it has started). */
  get capturePid(): number {
    return this.tcpdumpPid;
  }

  /** Once tcpdump has printed its counts, and every packet it counted has been read. */
  private allRead(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const captured = countIn(this.stderr, "captured");
        if (countIn(this.stderr, "dropped by kernel") === null || captured === null) return;
        if (this.frames < captured) return;
        this.child.stdout.off("data", check);
        this.child.stderr.off("data", check);
        resolve();
      };
      this.child.stdout.on("data", check);
      this.child.stderr.on("data", check);
      check();
    });
  }

  /** End tcpdump at once (teardown after an error); a capture stopped already ends itself. */
  kill(): void {
    if (!this.stopping) this.end();
  }

  private end(): void {
    if (!this.child.running) return;
    if (this.tcpdumpPid) {
      try {
        process.kill(this.tcpdumpPid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    this.child.kill("SIGKILL");
  }
}

/** One of tcpdump's counts at exit ("12 packets captured"), or null before it is printed. */
function countIn(stderr: string, what: string): number | null {
  const m = new RegExp(`(\\d+) packets? ${what}\n`).exec(stderr);
  return m ? Number(m[1]) : null;
}
