// The server process: a listener that accepts every connection and reads (and discards) what
// arrives, like a service that is simply alive. Faults act on it: close all its connections
// (FIN), or let a signal or the kernel end it.
import { acceptOne, closeFd, listenOn, recvOnce } from "./calls.js";
import { emitCall } from "./emit.js";
import { EPOLLIN, EPOLLRDHUP } from "./libc.js";
import type { Poller } from "./poller.js";

export class Server {
  private listener = -1;
  /** Accepted sockets, keyed by fd, named by the peer's address (the runner maps them). */
  private readonly accepted = new Map<number, string>();

  constructor(private readonly poller: Poller) {}

  listen(ip: string, port: number): void {
    this.listener = listenOn(ip, port, 4096);
    emitCall({
      side: "server",
      conn: "listener",
      call: "listen",
      result: "OK",
      detail: `${ip}:${port}`,
    });
    this.poller.watch(this.listener, EPOLLIN, () => this.acceptAll());
  }

  private acceptAll(): void {
    for (;;) {
      const got = acceptOne(this.listener);
      if (got === null) return;
      if ("result" in got) {
        emitCall({ side: "server", conn: "listener", call: "accept", result: got.result });
        return;
      }
      this.accepted.set(got.fd, got.peer);
      emitCall({ side: "server", conn: got.peer, call: "accept", result: "OK", detail: got.peer });
      this.poller.watch(got.fd, EPOLLIN | EPOLLRDHUP, (fd) => this.readable(fd));
    }
  }

  private readable(fd: number): void {
    const peer = this.accepted.get(fd);
    if (peer === undefined) return;
    const out = recvOnce(fd);
    if (out.result === "EAGAIN") return;
    emitCall(
      { side: "server", conn: peer, call: "recv", result: out.result, bytes: out.bytes },
      out.t,
    );
    if (out.result !== "OK") this.close(fd);
  }

  private close(fd: number): void {
    const peer = this.accepted.get(fd);
    if (peer === undefined) return;
    this.poller.unwatch(fd);
    this.accepted.delete(fd);
    const out = closeFd(fd);
    emitCall({ side: "server", conn: peer, call: "close", result: out.result }, out.t);
  }

  /** close() every accepted connection: the kernel sends FIN on each. */
  closeAll(): void {
    for (const fd of [...this.accepted.keys()]) this.close(fd);
  }
}
