// The run's packet capture: a packet socket in the router's namespace (src/wire/capture.ts),
// opened as soon as that namespace exists, before any link or connection, and stopped after the
// fault's work is done and before the teardown. What is kept of each packet as it comes is src/wire/packet-log.ts's
// business: at scale only counts, unless --pcap or --diagram asks for more. Kept packets are
// then named (src/wire/label.ts), tied to the watched connection whose 4-tuple they carry, and
// put into the report on the calls' clock (t=0 is the fault); kept frames stay beside the
// report for the pcapng.
import { nowMs, sleep } from "../clock.js";
import type { Lab } from "../lab/lab.js";
import type { CaptureSummary, RunReport, Settings, WirePacket } from "../types.js";
import { REMOTE_NO_CAPTURE } from "../wire/availability.js";
import { Capture, type CaptureResult } from "../wire/capture.js";
import { type ConnectCall, connectionEnds } from "../wire/connections.js";
import { type LabelledPacket, labelPackets } from "../wire/label.js";
import { PacketLog, type WireKeep } from "../wire/packet-log.js";
import { type CountersAt, type IpCounters, readIpCounters } from "../wire/snmp.js";
import { keepWire } from "../wire/store.js";

export interface RunCapture {
  capture: Capture | null;
  /** What is kept of the packets (null without a capture). */
  log: PacketLog | null;
  summary: CaptureSummary;
  /** The router namespace's own IP counters once the lab was wired, and when (startCounting). */
  before?: CountersAt;
}

/** Where the capture runs: the lab router's namespace, and the router's own addresses. */
export interface CapturePoint {
  netns: string;
  ownAddresses: string[];
}

export function routerOf(lab: Lab): CapturePoint {
  return { netns: lab.router.netns, ownAddresses: [lab.plan.routerClient, lab.plan.routerServer] };
}

/**
 * `router` is null in remote mode: real hosts have no lab router to capture on. `keep` says
 * what the file reporters asked for will read; the JSON lists every packet unless at scale.
 */
export async function startCapture(
  router: CapturePoint | null,
  settings: Settings,
  keep: WireKeep,
): Promise<RunCapture> {
  const none = (summary: CaptureSummary) => ({ capture: null, log: null, summary });
  if (settings.packets === "off") return none({ status: "off" });
  if (!router) return none({ status: "unavailable", note: REMOTE_NO_CAPTURE });
  const log = new PacketLog({
    frames: keep.frames,
    packets: keep.packets || !atScale(settings),
  });
  let capture: Capture;
  try {
    capture = await Capture.start({
      ...router,
      bufferKiB: captureBufferKiB(settings),
      onPacket: (p) => log.add(p),
    });
  } catch (err) {
    // the run goes on without packets; --pcap and --diagram then say why they have none
    return none({ status: "unavailable", note: (err as Error).message });
  }
  return { capture, log, summary: { status: "captured" } };
}

/**
 * The capture socket's receive buffer: how much the kernel queues for it while tcpdrop's event
 * loop is busy elsewhere (past it, it drops frames and counts droppedByKernel). The kernel
 * allocates nothing ahead, but charges each queued frame with the whole packet's memory, not
 * the snap length: a small segment about 1 KiB, a large one on the lab's veths (GSO) up to
 * ~64 KiB. One connection of each workload puts a few hundred small packets on the router's
 * links in a whole run (`run all --detect all`: at most 516 counted, nat-idle-timeout, each
 * seen arriving and leaving), which 2 MiB holds. Thousands of connections get 8 MiB. A user's
 * own programs may move any amount of data in large segments, and get 64 MiB:
 * test/e2e/program-capture.test.ts moves 300 MB between two programs and drops none (with
 * 8 MiB, it failed).
 */
export function captureBufferKiB(settings: Settings): number {
  if (settings.programs) return 65536;
  return (settings.connections ?? 1) > 1 ? 8192 : 2048;
}

/** At scale the JSON lists no packets (nor calls), unless --events all. */
function atScale(settings: Settings): boolean {
  return (settings.connections ?? 1) > 1 && settings.events !== "all";
}

/**
 * Read the router's IP counters to count from, once the lab is wired: while it is wired, the
 * router's kernel sends neighbour discovery and MLD reports on links whose other end is not
 * up yet, which it counts and which never reach a link (nor the capture).
 */
export function startCounting(running: RunCapture): void {
  if (running.capture) running.before = readIpCounters(running.capture.netns);
}

/** What the router's kernel counted between two reads of its counters (CLOCK_MONOTONIC ms). */
export interface Counted extends IpCounters {
  fromMs: number;
  untilMs: number;
}

/**
 * Stop the capture, and count what the router's kernel says it received and sent meanwhile,
 * to check the capture against (capture.routerReceived, routerSent). The capture listens
 * longer than the counters count, at both ends (it starts while the lab is wired), so only the
 * packets between the two reads are compared with them.
 */
export async function stopCapture(
  running: RunCapture,
): Promise<{ result: CaptureResult; counted: Counted | null } | null> {
  if (!running.capture) return null;
  let after: CountersAt | null = null;
  try {
    after = readIpCounters(running.capture.netns);
  } catch {
    // the router's namespace is gone: nothing to count with
  }
  const { capture } = running;
  if (after && running.before && running.log) {
    await caughtUp(running.log, running.before, after, () => capture.drain(CATCH_UP_FRAMES));
  }
  const result = await capture.stop();
  running.log?.close();
  const { before } = running;
  const counted =
    after && before
      ? {
          inReceives: after.counters.inReceives - before.counters.inReceives,
          forwarded: after.counters.forwarded - before.counters.forwarded,
          outRequests: after.counters.outRequests - before.counters.outRequests,
          fromMs: before.atMs,
          untilMs: after.atMs,
        }
      : null;
  return { result, counted };
}

/** The longest the capture is given to catch up with the router's counters before it stops. */
const CATCH_UP_MS = 50;

/** Frames read at most per look while catching up (the lab may still be busy). */
const CATCH_UP_FRAMES = 4096;

/** No new packet for this long: the socket has had every frame there was to read. */
const QUIET_MS = 8;

/**
 * Wait until the capture has read every packet the router counted between the two reads: the
 * kernel counts a packet the router sends a moment before it hands the socket its copy, so a
 * packet sent just before the last read could otherwise be counted and not captured. Also done
 * when no packet has come for QUIET_MS (a middlebox's own packets can be counted and never
 * seen: lb-idle-timeout's rejected RST), and after CATCH_UP_MS at most.
 */
async function caughtUp(
  log: PacketLog,
  before: CountersAt,
  after: CountersAt,
  drain: () => void,
): Promise<void> {
  const received = after.counters.inReceives - before.counters.inReceives;
  const sent = after.counters.outRequests - before.counters.outRequests;
  const giveUp = nowMs() + CATCH_UP_MS;
  let count = log.count;
  let quietSince = nowMs();
  for (;;) {
    drain();
    const seen = log.between(before.atMs, after.atMs);
    if (seen.received >= received && seen.sent >= sent) return;
    const now = nowMs();
    if (log.count !== count) [count, quietSince] = [log.count, now];
    if (now - quietSince >= QUIET_MS || now >= giveUp) return;
    await sleep(1);
  }
}

/** Put the captured packets into the report (and what was kept of them beside it). */
export function attachPackets(
  run: RunReport,
  stopped: Awaited<ReturnType<typeof stopCapture>>,
  running: RunCapture,
  ctx: { raw: ConnectCall[]; faultAt: number; lab: Lab | null },
): void {
  const { log, summary } = running;
  if (!stopped || !log || !ctx.lab) {
    run.capture = summary;
    return;
  }
  const { result, counted } = stopped;
  const window = counted
    ? log.between(counted.fromMs, counted.untilMs)
    : log.between(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  // the connections' names are for the packets kept; counted ones have none
  const ends = log.packets ? connectionEnds(ctx.raw) : [];
  const labelled = log.packets
    ? labelPackets(
        log.packets.map((p) => ({ ...p.decoded, tMs: p.tMonoMs - ctx.faultAt })),
        ends,
      )
    : null;
  const byKind: Record<string, number> = labelled ? {} : log.byKind;
  for (const p of labelled ?? []) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  const ids = new Set(ends.map((e) => e.id));
  if (labelled && !atScale(run.settings)) run.packets = labelled.map((p) => wirePacket(p, ids));
  run.capture = {
    status: "captured",
    count: log.count,
    byKind,
    droppedByKernel: result.droppedByKernel,
    ...(counted ? { routerReceived: counted.inReceives, routerSent: counted.outRequests } : {}),
    capturedReceived: window.received,
    capturedSent: window.sent,
  };
  const { plan } = ctx.lab;
  keepWire(run, {
    linktype: result.header.linktype,
    snaplen: result.header.snaplen,
    ...(log.frames
      ? {
          frames: log.frames.map((f) => ({
            tMs: f.tMonoMs - ctx.faultAt,
            tsNs: f.tsNs,
            data: f.data,
            origLen: f.origLen,
          })),
        }
      : {}),
    ...(labelled ? { packets: labelled } : {}),
    lanes: {
      [plan.client]: "client",
      [plan.routerClient]: "router",
      [plan.routerServer]: "router",
      [plan.server]: "server",
    },
  });
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

function wirePacket(p: LabelledPacket, ids: Set<string>): WirePacket {
  const end = (ip: string, port?: number) =>
    port === undefined ? ip : ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
  return {
    tMs: round(p.tMs),
    src: end(p.src, p.sport),
    dst: end(p.dst, p.dport),
    ...(p.from ? { from: p.from } : {}),
    flags: p.flags,
    ...(p.proto === "tcp" ? { seq: p.relSeq ?? p.seq } : {}),
    ...(p.flags.includes("ACK") ? { ack: p.relAck ?? p.ack } : {}),
    len: p.len,
    kind: p.kind,
    label: p.label,
    ...(p.conn && ids.has(p.conn) ? { conn: p.conn } : {}),
  };
}
