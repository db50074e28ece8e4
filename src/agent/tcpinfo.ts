// struct tcp_info from <linux/tcp.h>, read with getsockopt(TCP_INFO). Only the fields tcpdrop
// uses are decoded; offsets are those of the kernel header on 64-bit Linux.
import type { BriefTcpInfo } from "../protocol.js";

export const TCP_INFO_SIZE = 232;
/** Offsets in struct tcp_info of tcpi_unacked and tcpi_notsent_bytes (u32 each). */
export const TCPI_UNACKED = 24;
export const TCPI_NOTSENT_BYTES = 144;

export const TCP_STATES = [
  "?",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
];

export interface TcpInfo {
  state: string;
  retransmits: number;
  probes: number;
  backoff: number;
  /** Current retransmission timeout, microseconds. */
  rtoUs: number;
  unacked: number;
  lastDataSentMs: number;
  lastDataRecvMs: number;
  lastAckRecvMs: number;
  rttUs: number;
  totalRetrans: number;
}

/** A reading as a brief snapshot sends it (only what a prediction reads), read at t. */
export function briefTcpInfo(info: TcpInfo, t: number): BriefTcpInfo {
  const { rtoUs, rttUs, lastDataRecvMs, lastAckRecvMs } = info;
  return { rtoUs, rttUs, lastDataRecvMs, lastAckRecvMs, t };
}

export function parseTcpInfo(buf: Buffer): TcpInfo {
  return {
    state: TCP_STATES[buf.readUInt8(0)] ?? `state ${buf.readUInt8(0)}`,
    retransmits: buf.readUInt8(2),
    probes: buf.readUInt8(3),
    backoff: buf.readUInt8(4),
    rtoUs: buf.readUInt32LE(8),
    unacked: buf.readUInt32LE(TCPI_UNACKED),
    lastDataSentMs: buf.readUInt32LE(44),
    lastDataRecvMs: buf.readUInt32LE(52),
    lastAckRecvMs: buf.readUInt32LE(56),
    rttUs: buf.readUInt32LE(68),
    totalRetrans: buf.readUInt32LE(100),
  };
}
