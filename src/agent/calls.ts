// One function per socket call the agent makes. Each makes exactly one syscall and turns its
// return value into an outcome: "OK", "EOF" (recv returned 0) or the errno name. Sockets are
// created through the agent's OpenSocket (context.ts), in the namespace of its host.

import { nowMs } from "../clock.js";
import type { ClientSpec } from "../protocol.js";
import type { OpenSocket } from "./context.js";
import {
  EINPROGRESS,
  errnoName,
  familyOf,
  IP_RECVERR,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IPPROTO_TCP,
  IPV6_RECVERR,
  int32,
  lastErrno,
  MSG_DONTWAIT,
  MSG_NOSIGNAL,
  parseSockaddr,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOCKADDR_SIZE,
  SOL_SOCKET,
  sockaddr,
  sys,
  TCP_INFO,
  TCP_KEEPCNT,
  TCP_KEEPIDLE,
  TCP_KEEPINTVL,
  TCP_NODELAY,
  TCP_USER_TIMEOUT,
} from "./libc.js";
import {
  parseTcpInfo,
  TCP_INFO_SIZE,
  TCPI_NOTSENT_BYTES,
  TCPI_UNACKED,
  type TcpInfo,
} from "./tcpinfo.js";

export interface Outcome {
  result: string;
  ret: number;
  /** CLOCK_MONOTONIC ms, read right after the syscall returned. */
  t: number;
  bytes?: number;
  detail?: string;
}

function outcome(ret: number): Outcome {
  const t = nowMs();
  return ret < 0 ? { result: errnoName(lastErrno()), ret, t } : { result: "OK", ret, t };
}

/** Throws on failure: used only for setup calls whose failure is a setup error. */
function must(ret: number, what: string): number {
  if (ret < 0) throw new Error(`${what} failed: ${errnoName(lastErrno())}`);
  return ret;
}

/** A non-blocking TCP socket of the address's family (IPv4 or IPv6). */
export function tcpSocket(open: OpenSocket, ip: string): number {
  return must(open(familyOf(ip), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket()");
}

export function setIntOpt(fd: number, level: number, name: number, value: number, what: string) {
  must(sys.setsockopt(fd, level, name, int32(value), 4), `setsockopt(${what})`);
}

/** `reusePort`: several processes listen on the port, the kernel deals connections out. */
export function listenOn(
  open: OpenSocket,
  ip: string,
  port: number,
  backlog: number,
  reusePort = false,
): number {
  const fd = tcpSocket(open, ip);
  setIntOpt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR");
  if (reusePort) setIntOpt(fd, SOL_SOCKET, SO_REUSEPORT, 1, "SO_REUSEPORT");
  const addr = sockaddr(ip, port);
  try {
    must(sys.bind(fd, addr, addr.length), `bind(${ip}:${port})`);
    must(sys.listen(fd, backlog), "listen()");
  } catch (err) {
    closeFd(fd); // a failed listen keeps no socket
    throw err;
  }
  return fd;
}

/** listen() again on a listening socket: only its backlog changes. */
export function relisten(fd: number, backlog: number): Outcome {
  return outcome(sys.listen(fd, backlog));
}

/** accept4 on a non-blocking listener; null when no connection is waiting. */
export function acceptOne(fd: number): { fd: number; peer: string } | { result: string } | null {
  const addr = Buffer.alloc(SOCKADDR_SIZE);
  const len = int32(SOCKADDR_SIZE);
  const ret = sys.accept4(fd, addr, len, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (ret >= 0) return { fd: ret, peer: parseSockaddr(addr) };
  const result = errnoName(lastErrno());
  return result === "EAGAIN" ? null : { result };
}

/** Non-blocking connect: "OK" at once, or "EINPROGRESS" to be finished by connectResult. */
export function startConnect(fd: number, ip: string, port: number): Outcome {
  const addr = sockaddr(ip, port);
  const ret = sys.connect(fd, addr, addr.length);
  if (ret < 0 && lastErrno() === EINPROGRESS) return { result: "EINPROGRESS", ret, t: nowMs() };
  return outcome(ret);
}

/** The outcome of a connect that was in progress (SO_ERROR once the socket is writable). */
export function connectResult(fd: number): Outcome {
  const err = getIntOpt(fd, SOL_SOCKET, SO_ERROR);
  const t = nowMs();
  return err === 0 ? { result: "OK", ret: 0, t } : { result: errnoName(err), ret: -1, t };
}

export function getIntOpt(fd: number, level: number, name: number): number {
  const val = int32(0);
  must(sys.getsockopt(fd, level, name, val, int32(4)), "getsockopt()");
  return val.readInt32LE(0);
}

export function localAddress(fd: number): string {
  const addr = Buffer.alloc(SOCKADDR_SIZE);
  return sys.getsockname(fd, addr, int32(SOCKADDR_SIZE)) < 0 ? "?" : parseSockaddr(addr);
}

const recvBuffer = Buffer.alloc(65536);

/** One recv of at most `max` bytes; with `keep`, the bytes read are returned too (a copy). */
export function recvOnce(
  fd: number,
  keep = false,
  max = recvBuffer.length,
): Outcome & { data?: Buffer } {
  const ret = Number(sys.recv(fd, recvBuffer, Math.min(max, recvBuffer.length), MSG_DONTWAIT));
  if (ret === 0) return { result: "EOF", ret, bytes: 0, t: nowMs() };
  const out: Outcome & { data?: Buffer } = outcome(ret);
  if (ret > 0) out.bytes = ret;
  if (ret > 0 && keep) out.data = Buffer.from(recvBuffer.subarray(0, ret));
  return out;
}

/**
 * send with MSG_NOSIGNAL, so a broken pipe is an EPIPE result rather than a dead agent;
 * `flags` adds e.g. MSG_OOB, and `signal: true` leaves MSG_NOSIGNAL out (SIGPIPE then kills).
 */
export function sendOnce(fd: number, data: Buffer, flags = 0, signal = false): Outcome {
  const noSignal = signal ? 0 : MSG_NOSIGNAL;
  const ret = Number(sys.send(fd, data, data.length, noSignal | MSG_DONTWAIT | flags));
  const out = outcome(ret);
  if (ret >= 0) out.bytes = ret;
  return out;
}

export function closeFd(fd: number): Outcome {
  return outcome(sys.close(fd));
}

export function shutdownFd(fd: number, how: number): Outcome {
  return outcome(sys.shutdown(fd, how));
}

/** struct tcp_info as the kernel gives it, or null if the socket cannot say (closed). */
function rawTcpInfo(fd: number): Buffer | null {
  const buf = Buffer.alloc(TCP_INFO_SIZE);
  const len = int32(TCP_INFO_SIZE);
  return sys.getsockopt(fd, IPPROTO_TCP, TCP_INFO, buf, len) < 0 ? null : buf;
}

export function tcpInfo(fd: number): TcpInfo | null {
  const buf = rawTcpInfo(fd);
  return buf && parseTcpInfo(buf);
}

/**
 * What the socket still waits to have acknowledged: its bytes not yet sent
 * (tcpi_notsent_bytes) plus its segments in flight (tcpi_unacked). 0 once the peer has ACKed
 * everything written, -1 if the socket cannot say (closed).
 */
export function outstanding(fd: number): number {
  const buf = rawTcpInfo(fd);
  return buf ? buf.readUInt32LE(TCPI_NOTSENT_BYTES) + buf.readUInt32LE(TCPI_UNACKED) : -1;
}

export type SocketOptions = ClientSpec["options"];

/** Apply the watched-socket options the user asked for; each is one setsockopt. */
export function applyOptions(fd: number, opts: SocketOptions): void {
  setIntOpt(fd, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
  if (opts.keepalive) {
    setIntOpt(fd, SOL_SOCKET, SO_KEEPALIVE, 1, "SO_KEEPALIVE");
    setIntOpt(fd, IPPROTO_TCP, TCP_KEEPIDLE, opts.keepalive.idle, "TCP_KEEPIDLE");
    setIntOpt(fd, IPPROTO_TCP, TCP_KEEPINTVL, opts.keepalive.interval, "TCP_KEEPINTVL");
    setIntOpt(fd, IPPROTO_TCP, TCP_KEEPCNT, opts.keepalive.count, "TCP_KEEPCNT");
  }
  if (opts.userTimeoutMs != null) {
    setIntOpt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, opts.userTimeoutMs, "TCP_USER_TIMEOUT");
  }
  if (opts.recverr) {
    // IPv6 sockets take ICMPv6 errors through IPV6_RECVERR, IPv4 ones through IP_RECVERR.
    const v6 = localAddress(fd).startsWith("[");
    if (v6) setIntOpt(fd, IPPROTO_IPV6, IPV6_RECVERR, 1, "IPV6_RECVERR");
    else setIntOpt(fd, IPPROTO_IP, IP_RECVERR, 1, "IP_RECVERR");
  }
}

/** SO_LINGER {on, 0 s}: close() then discards unsent data and sends RST instead of FIN. */
export function lingerZero(fd: number): void {
  const linger = Buffer.alloc(8);
  linger.writeInt32LE(1, 0);
  linger.writeInt32LE(0, 4);
  must(sys.setsockopt(fd, SOL_SOCKET, SO_LINGER, linger, 8), "setsockopt(SO_LINGER)");
}
