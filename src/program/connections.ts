// A traced program's calls, grouped into one connection per TCP connection it made (connect) or
// accepted (accept), named by its 4-tuple. strace -yy shows a socket's tuple once it has one;
// before that (socket(), setsockopt, connect itself) only its inode, so calls on a descriptor
// wait until a later call on the same descriptor names the tuple. poll/select/epoll results
// are attached to every connection they reported ready.
import { ACCEPT_CALLS, familyName, POLL_CALLS, READ_CALLS, WRITE_CALLS } from "./call-families.js";
import type { BlockedCall, SocketOption, TraceCall, TraceRecord } from "./trace-types.js";

/** Results that are no failure: success, "not now", and a call the kernel restarts. */
const FINE = new Set(["OK", "EAGAIN", "EWOULDBLOCK", "EINPROGRESS", "EINTR", "EALREADY"]);
/** Calls whose error is the connection's own (not, say, a bad epoll_ctl). */
const FAILING = new Set(["connect", "shutdown", ...ACCEPT_CALLS, ...READ_CALLS, ...WRITE_CALLS]);

export interface ProgramFailure {
  /** The syscall's own name (recvfrom, read, ...). */
  call: string;
  /** The name expectations use: recv, send, or the call's own. */
  family: string;
  result: string;
  atMs: number;
}

export interface ProgramConnection {
  /** "198.51.100.2:40126->203.0.113.2:7000", local side first. */
  id: string;
  src: string;
  dst: string;
  via: "connect" | "accept";
  calls: TraceCall[];
  /** setsockopt calls that succeeded, in order (the last value of an option wins). */
  options: SocketOption[];
  firstFailure: ProgramFailure | null;
  /** Calls on this connection still blocked when the trace ended (or when their process died). */
  blocked: BlockedCall[];
}

/** A call's failure, if it is one: an errno on a connection call, EOF, or SO_ERROR set. */
export function failureOf(call: TraceCall): ProgramFailure | null {
  if (call.interrupted) return null;
  const at = { call: call.call, family: familyName(call.call), atMs: call.returnMs };
  if (call.option?.name === "SO_ERROR" && call.option.value !== 0 && call.result === "OK")
    return { ...at, result: String(call.option.value) };
  if (!FAILING.has(call.call) || FINE.has(call.result)) return null;
  return { ...at, result: call.result };
}

export function groupConnections(records: TraceRecord[]): ProgramConnection[] {
  const byId = new Map<string, ProgramConnection>();
  /** "pid:fd" and "fd" -> the connection id last seen there. */
  const at = new Map<string, string>();
  /** "pid:fd" -> calls (and a blocked call) waiting for the descriptor's tuple. */
  const waiting = new Map<string, { calls: TraceCall[]; blocked: BlockedCall[] }>();
  /** "epfd:data" -> the descriptor an epoll event's data stands for. */
  const epollFd = new Map<string, number>();

  const add = (conn: ProgramConnection, call: TraceCall) => {
    conn.calls.push(call);
    if (call.call === "setsockopt" && call.option && call.result === "OK")
      conn.options.push(call.option);
    conn.firstFailure ??= failureOf(call);
  };
  const wait = (key: string) => {
    const found = waiting.get(key);
    if (found) return found;
    const fresh = { calls: [] as TraceCall[], blocked: [] as BlockedCall[] };
    waiting.set(key, fresh);
    return fresh;
  };
  /** The connection a descriptor stands for, learning its tuple when strace shows one. */
  const resolve = (pid: number, fd: number, via: string, tuple: Tuple | null | undefined) => {
    const key = `${pid}:${fd}`;
    if (!tuple) {
      const id = at.get(key) ?? at.get(`${fd}`);
      return id ? byId.get(id) : undefined;
    }
    const id = tupleId(tuple);
    let conn = byId.get(id);
    if (!conn) {
      const how = ACCEPT_CALLS.has(via) ? "accept" : "connect";
      conn = { ...tuple, id, via: how, calls: [], options: [], firstFailure: null, blocked: [] };
      byId.set(id, conn);
    }
    const early = waiting.get(key);
    if (early) {
      for (const call of early.calls) add(conn, call);
      conn.blocked.push(...early.blocked);
      waiting.delete(key);
    }
    at.set(key, id);
    at.set(`${fd}`, id);
    return conn;
  };

  for (const record of records) {
    if (record.kind === "blocked") {
      if (record.fd === null) continue;
      const conn = resolve(record.pid, record.fd, record.call, record.socket?.tuple);
      if (conn) conn.blocked.push(record);
      else if (record.socket) wait(`${record.pid}:${record.fd}`).blocked.push(record);
      continue;
    }
    if (record.kind !== "call") continue;
    const call = record;
    if (call.epoll) {
      const key = `${call.fd}:${call.epoll.data ?? call.epoll.fd}`;
      if (call.epoll.op === "EPOLL_CTL_DEL") epollFd.delete(key);
      else epollFd.set(key, call.epoll.fd);
      continue;
    }
    if (POLL_CALLS.has(call.call)) {
      for (const ready of call.ready ?? []) {
        const fd = call.call.startsWith("epoll")
          ? (epollFd.get(`${call.fd}:${ready.fd}`) ?? ready.fd)
          : ready.fd;
        const one = { ...call, fd, ready: [{ fd, events: ready.events }] };
        const conn = resolve(call.pid, fd, call.call, null);
        if (conn) add(conn, one);
        else waiting.get(`${call.pid}:${fd}`)?.calls.push(one);
      }
      continue;
    }
    if (call.fd === null) continue;
    const key = `${call.pid}:${call.fd}`;
    if (!call.socket) {
      if (call.call === "close") at.delete(key);
      continue;
    }
    if (call.call === "socket") waiting.delete(key);
    const conn = resolve(call.pid, call.fd, call.call, call.socket.tuple);
    if (conn && call.socket.tuple) add(conn, call);
    else if (call.call !== "socket") wait(key).calls.push(call);
    else wait(key);
    if (call.call === "close" && conn) {
      at.delete(key);
      at.delete(`${call.fd}`);
    }
  }
  // Connects that never got a tuple (refused, timed out, still trying): one connection each.
  for (const [key, early] of waiting) {
    const address =
      early.calls.find((c) => c.call === "connect")?.address ??
      early.blocked.find((b) => b.call === "connect")?.address;
    if (!address) continue;
    const id = `(unconnected ${key})->${address}`;
    const conn: ProgramConnection = {
      id,
      src: "",
      dst: address,
      via: "connect",
      calls: [],
      options: [],
      firstFailure: null,
      blocked: early.blocked,
    };
    for (const call of early.calls) add(conn, call);
    byId.set(id, conn);
  }
  return [...byId.values()];
}

type Tuple = { src: string; dst: string };

export function tupleId(tuple: { src: string; dst: string }): string {
  return `${tuple.src}->${tuple.dst}`;
}
