// When is a traced program's first connection to the server established? The fault comes
// --fault-after that moment. Programs connect in one of two ways, both seen in real traces:
// - blocking: connect() returns 0 (python3's socket.create_connection);
// - non-blocking: connect() fails EINPROGRESS, the socket turns writable (POLLOUT, EPOLLOUT)
//   and the program reads SO_ERROR, 0 on success (curl with poll, node/libuv with epoll).
// A successful send or recv on a socket still in progress also proves it is connected.
import { READ_CALLS, WRITE_CALLS } from "./call-families.js";
import type { TraceCall, TraceRecord } from "./trace-types.js";

export interface Established {
  atMs: number;
  pid: number;
  fd: number;
  /** The 4-tuple once strace showed it ("198.51.100.2:40126->203.0.113.2:7000"), else null. */
  id: string | null;
}

export class EstablishedWatch {
  /** "fd" -> the connect still in progress on it. */
  private readonly connecting = new Map<number, TraceCall>();
  private found: Established | null = null;

  /** @param address the server's "ip:port" as strace writes it; only connects to it count. */
  constructor(private readonly address: string) {}

  get first(): Established | null {
    return this.found;
  }

  /** Feed one record; returns the first established connection once (and ever after). */
  push(record: TraceRecord): Established | null {
    if (this.found || record.kind !== "call" || record.fd === null) return this.found;
    const call = record;
    if (call.call === "connect" && call.address === this.address) {
      if (call.result === "OK") return this.establish(call, call.fd as number);
      if (call.result === "EINPROGRESS") this.connecting.set(call.fd as number, call);
      return null;
    }
    const ready = call.ready?.find((r) => this.connecting.has(r.fd));
    if (ready) {
      const failed = ready.events.some((e) => /ERR|HUP/.test(e));
      if (!failed && ready.events.some((e) => /OUT$/.test(e)))
        return this.establish(call, ready.fd);
      return null;
    }
    if (!this.connecting.has(call.fd as number)) return null;
    const soError = call.option?.name === "SO_ERROR" && call.option.value === 0;
    const moved = (READ_CALLS.has(call.call) || WRITE_CALLS.has(call.call)) && call.result === "OK";
    if (soError || moved) return this.establish(call, call.fd as number);
    if (call.call === "close") this.connecting.delete(call.fd as number);
    return null;
  }

  private establish(call: TraceCall, fd: number): Established {
    const tuple = call.socket?.tuple;
    this.found = {
      atMs: call.returnMs,
      pid: call.pid,
      fd,
      id: tuple ? `${tuple.src}->${tuple.dst}` : null,
    };
    return this.found;
  }
}
