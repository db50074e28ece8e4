// The run's packet capture: tcpdump in the router's namespace (src/wire/capture.ts), started
// once the lab is built and before any connection, stopped after the fault's work is done and
// before the teardown. Then each packet is named (src/wire/label.ts), tied to the watched
// connection whose 4-tuple it carries, and put into the report on the calls' clock (t=0 is
// the fault); the frames themselves stay beside the report for the pcapng.
import type { Lab } from "../lab/lab.js";
import type { CaptureSummary, RunReport, Settings, WirePacket } from "../types.js";
import { captureBlocker, REMOTE_NO_CAPTURE } from "../wire/availability.js";
import { Capture, type CaptureResult } from "../wire/capture.js";
import { type ConnectCall, connectionEnds } from "../wire/connections.js";
import { type LabelledPacket, labelPackets } from "../wire/label.js";
import { type CountersAt, type IpCounters, readIpCounters } from "../wire/snmp.js";
import { keepWire } from "../wire/store.js";

export interface RunCapture {
  capture: Capture | null;
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

/** `router` is null in remote mode: real hosts have no lab router to capture on. */
export async function startCapture(
  router: CapturePoint | null,
  settings: Settings,
): Promise<RunCapture> {
  if (settings.packets === "off") return { capture: null, summary: { status: "off" } };
  if (!router)
    return { capture: null, summary: { status: "unavailable", note: REMOTE_NO_CAPTURE } };
  const blocker = captureBlocker();
  if (blocker) return { capture: null, summary: { status: "unavailable", note: blocker } };
  let capture: Capture;
  try {
    capture = await Capture.start(router);
  } catch (err) {
    // the run goes on without packets; --pcap and --diagram then say why they have none
    return { capture: null, summary: { status: "unavailable", note: (err as Error).message } };
  }
  return { capture, summary: { status: "captured" } };
}

/**
 * Read the router's IP counters to count from, once the lab is wired: while it is wired, the
 * router's kernel sends neighbour discovery and MLD reports on links whose other end is not
 * up yet, which it counts and which never reach a link (nor the capture).
 */
export function startCounting(running: RunCapture): void {
  if (running.capture) running.before = readIpCounters(running.capture.pid);
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
    after = readIpCounters(running.capture.pid);
  } catch {
    // tcpdump is gone: nothing to count with
  }
  const result = await running.capture.stop();
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

/** Put the captured packets into the report (and the frames beside it). */
export function attachPackets(
  run: RunReport,
  stopped: Awaited<ReturnType<typeof stopCapture>>,
  summary: CaptureSummary,
  ctx: { raw: ConnectCall[]; faultAt: number; lab: Lab | null },
): void {
  if (!stopped || !ctx.lab) {
    run.capture = summary;
    return;
  }
  const { result, counted } = stopped;
  const inWindow = counted
    ? result.packets.filter((p) => p.tMonoMs >= counted.fromMs && p.tMonoMs <= counted.untilMs)
    : result.packets;
  const ends = connectionEnds(ctx.raw);
  const decoded = result.packets.flatMap((p) =>
    p.decoded ? [{ ...p.decoded, tMs: p.tMonoMs - ctx.faultAt }] : [],
  );
  const labelled = labelPackets(decoded, ends);
  const byKind: Record<string, number> = {};
  for (const p of labelled) byKind[p.kind] = (byKind[p.kind] ?? 0) + 1;
  const scaled = (run.settings.connections ?? 1) > 1 && run.settings.events !== "all";
  const ids = new Set(ends.map((e) => e.id));
  if (!scaled) run.packets = labelled.map((p) => wirePacket(p, ids));
  run.capture = {
    status: "captured",
    count: labelled.length,
    byKind,
    droppedByKernel: result.stats.droppedByKernel,
    ...(counted ? { routerReceived: counted.inReceives, routerSent: counted.outRequests } : {}),
    capturedReceived: inWindow.filter((p) => p.decoded && !p.decoded.outgoing).length,
    capturedSent: inWindow.filter((p) => p.decoded?.outgoing).length,
  };
  const { plan } = ctx.lab;
  keepWire(run, {
    linktype: result.header.linktype,
    snaplen: result.header.snaplen,
    frames: result.packets.map((p) => ({
      tMs: p.tMonoMs - ctx.faultAt,
      tsNs: p.tsNs,
      data: p.data,
      origLen: p.origLen,
    })),
    packets: labelled,
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
