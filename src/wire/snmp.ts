// A namespace's own IP counters (/proc/net/snmp and snmp6, read by this thread from inside the
// namespace): how many datagrams arrived and were forwarded. Used to check that a capture
// missed nothing.
import { readFileSync } from "node:fs";
import { nowMs } from "../clock.js";
import { inNetns } from "../lab/netns.js";

export interface IpCounters {
  /** IPv4 + IPv6 datagrams received (InReceives). */
  inReceives: number;
  /** IPv4 + IPv6 datagrams forwarded (ForwDatagrams / OutForwDatagrams). */
  forwarded: number;
  /** IPv4 + IPv6 datagrams the host itself sent (OutRequests). */
  outRequests: number;
}

/** Parse /proc/net/snmp (header line, value line per protocol) and /proc/net/snmp6. */
export function parseIpCounters(snmp: string, snmp6: string): IpCounters {
  const lines = snmp.split("\n").filter((l) => l.startsWith("Ip: "));
  const names = (lines[0] ?? "").split(/\s+/).slice(1);
  const values = (lines[1] ?? "").split(/\s+/).slice(1).map(Number);
  const v4 = (name: string) => values[names.indexOf(name)] ?? 0;
  const v6map = new Map(
    snmp6
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 2)
      .map(([k, v]) => [k, Number(v)]),
  );
  const v6 = (name: string) => v6map.get(name) ?? 0;
  return {
    inReceives: v4("InReceives") + v6("Ip6InReceives"),
    forwarded: v4("ForwDatagrams") + v6("Ip6OutForwDatagrams"),
    outRequests: v4("OutRequests") + v6("Ip6OutRequests"),
  };
}

/** Counters and when they were read (CLOCK_MONOTONIC ms, the packets' clock). */
export interface CountersAt {
  counters: IpCounters;
  atMs: number;
}

/**
 * A read that takes longer than this was preempted: a packet counted during it cannot be told
 * to be before or after `atMs`, so the read is made again (at most READ_TRIES times).
 */
const TIGHT_READ_MS = 0.5;
const READ_TRIES = 5;

/**
 * Read the counters of the namespace at `netns` (a path to its ns file), synchronously: the two
 * small files are read within a fraction of a millisecond, so `atMs` says when they were read,
 * and a capture can be compared with them packet for packet (only what it caught between two
 * reads).
 * On a loaded machine a read can be preempted for milliseconds, during which packets are
 * counted whose capture stamps fall on either side of `atMs` (a capture one packet short of
 * the router's count, once in CI): such a read is made again, and the tightest one kept.
 */
export function readIpCounters(netns: string): CountersAt {
  return inNetns(netns, tightestRead);
}

function tightestRead(): CountersAt {
  let best: { counters: IpCounters; atMs: number; widthMs: number } | null = null;
  for (let i = 0; i < READ_TRIES && (best === null || best.widthMs > TIGHT_READ_MS); i++) {
    const from = nowMs();
    const snmp = readFileSync("/proc/thread-self/net/snmp", "utf8");
    let snmp6 = "";
    try {
      snmp6 = readFileSync("/proc/thread-self/net/snmp6", "utf8");
    } catch {
      // no IPv6 in this kernel
    }
    const to = nowMs();
    if (best === null || to - from < best.widthMs)
      best = { counters: parseIpCounters(snmp, snmp6), atMs: (from + to) / 2, widthMs: to - from };
  }
  const { counters, atMs } = best as { counters: IpCounters; atMs: number };
  return { counters, atMs };
}
