// The server process: a listener that accepts every connection and reads (and discards) what
// arrives, like a service that is simply alive; heartbeat pings ("hb\n") and pooled requests
// ("req\n") are answered. Faults act on it: close its connections (FIN), abort them
// (SO_LINGER 0: RST), shut down their sending side (FIN, still reading), stop reading (so data
// piles up unread), read only a first byte of each connection (the rest stays unread), stop
// accepting (so the listen queue fills), or stop listening. When its process is gone
// (closeEverything), every socket it held closes at once, without a word.

import { ANSWER, HEARTBEAT, REQUEST } from "../defaults.js";
import {
  acceptOne,
  closeFd,
  lingerZero,
  listenOn,
  recvOnce,
  relisten,
  sendOnce,
  shutdownFd,
  startConnect,
  tcpSocket,
} from "./calls.js";
import { type AgentContext, emitCall } from "./context.js";
import { EPOLLIN, EPOLLRDHUP, SHUT_WR } from "./libc.js";
import type { Poller } from "./poller.js";

export class Server {
  private listener = -1;
  /** read-heads: each connection's first recv reads one byte, and reading stops there. */
  private headsOnly = false;
  private address: { ip: string; port: number } | undefined;
  /** Connections the server opened to its own listener, to fill the listen queue. */
  private readonly fillers: number[] = [];
  /** Accepted sockets, keyed by fd, named by the peer's address (the runner maps them). */
  private readonly accepted = new Map<number, string>();

  /**
   * `quiet`: no event for each read that worked (thousands of connections); `reusePort`: one of
   * several server agents sharing the port (SO_REUSEPORT).
   */
  private readonly poller: Poller;

  constructor(
    private readonly ctx: AgentContext,
    private readonly quiet = false,
    private readonly reusePort = false,
  ) {
    this.poller = ctx.poller;
  }

  listen(ip: string, port: number): void {
    this.listener = listenOn(this.ctx.openSocket, ip, port, 4096, this.reusePort);
    this.address = { ip, port };
    emitCall(this.ctx, {
      side: "server",
      conn: "listener",
      call: "listen",
      result: "OK",
      detail: `${ip}:${port}`,
    });
    this.poller.watch(this.listener, EPOLLIN, () => this.acceptAll());
  }

  /** Close the listening socket: new connections are then refused (RST to the SYN). */
  unlisten(): void {
    if (this.listener < 0) return;
    this.poller.unwatch(this.listener);
    closeFd(this.listener);
    this.listener = -1;
  }

  /**
   * Stop calling accept() and shrink the listen queue to `backlog` (listen() again on the
   * listening socket): connections that complete their handshake now pile up in the queue
   * until it is full, and the kernel then drops or refuses what comes next.
   */
  pauseAccept(backlog: number): void {
    if (this.listener < 0 || !this.address) return;
    this.poller.unwatch(this.listener);
    const out = relisten(this.listener, backlog);
    // Other clients got there first: backlog + 1 connections fill the queue (the kernel
    // counts it full once it holds more than the backlog).
    const { ip, port } = this.address;
    for (let i = 0; i <= backlog; i++) {
      const fd = tcpSocket(this.ctx.openSocket, ip);
      startConnect(fd, ip, port);
      this.fillers.push(fd);
    }
    emitCall(
      this.ctx,
      {
        side: "server",
        conn: "listener",
        call: "listen",
        result: out.result,
        detail: `backlog ${backlog}, accept() paused`,
      },
      out.t,
    );
  }

  private acceptAll(): void {
    for (;;) {
      const got = acceptOne(this.listener);
      if (got === null) return;
      if ("result" in got) {
        emitCall(this.ctx, {
          side: "server",
          conn: "listener",
          call: "accept",
          result: got.result,
        });
        return;
      }
      this.accepted.set(got.fd, got.peer);
      emitCall(this.ctx, {
        side: "server",
        conn: got.peer,
        call: "accept",
        result: "OK",
        detail: got.peer,
      });
      this.read(got.fd);
    }
  }

  private read(fd: number): void {
    this.poller.watch(fd, EPOLLIN | EPOLLRDHUP, () => this.readable(fd));
  }

  private readable(fd: number): void {
    const peer = this.accepted.get(fd);
    if (peer === undefined) return;
    const out = recvOnce(fd, true, this.headsOnly ? 1 : undefined);
    if (out.result === "EAGAIN") return;
    // read-heads: one byte read, and no more: the rest of what arrived stays unread
    if (this.headsOnly && out.result === "OK") this.poller.unwatch(fd);
    if (!(this.quiet && out.result === "OK")) {
      const event = {
        side: "server" as const,
        conn: peer,
        call: "recv",
        result: out.result,
        bytes: out.bytes,
      };
      emitCall(this.ctx, event, out.t);
    }
    if (out.result !== "OK") {
      this.close(fd);
      return;
    }
    const text = out.data?.toString() ?? "";
    const replies = [
      ...Array(text.split(HEARTBEAT).length - 1).fill(HEARTBEAT),
      ...Array(text.split(REQUEST).length - 1).fill(ANSWER),
    ];
    for (const reply of replies) {
      const sent = sendOnce(fd, Buffer.from(reply));
      emitCall(
        this.ctx,
        { side: "server", conn: peer, call: "send", result: sent.result, bytes: sent.bytes },
        sent.t,
      );
    }
  }

  private close(fd: number): void {
    const peer = this.accepted.get(fd);
    if (peer === undefined) return;
    this.poller.unwatch(fd);
    this.accepted.delete(fd);
    const out = closeFd(fd);
    emitCall(this.ctx, { side: "server", conn: peer, call: "close", result: out.result }, out.t);
  }

  /** close() every accepted connection: the kernel sends FIN (RST where data is unread). */
  closeAll(): void {
    for (const fd of [...this.accepted.keys()]) this.close(fd);
  }

  /** SO_LINGER {1, 0} then close(): the kernel sends RST at once. */
  abortAll(): void {
    for (const fd of this.accepted.keys()) lingerZero(fd);
    this.closeAll();
  }

  /** shutdown(SHUT_WR) on every connection: FIN goes out, the server keeps reading. */
  shutdownAll(): void {
    for (const [fd, peer] of this.accepted) {
      const out = shutdownFd(fd, SHUT_WR);
      emitCall(
        this.ctx,
        { side: "server", conn: peer, call: "shutdown", result: out.result, detail: "SHUT_WR" },
        out.t,
      );
    }
  }

  /** Hand an accepted socket (by its peer's address) to another owner; its fd, or null. */
  release(peer: string): number | null {
    // The runner may ask as soon as the client has connected, before the poller has reported
    // the connection to this process: accept whatever waits in the listen queue first.
    if (![...this.accepted.values()].includes(peer) && this.listener >= 0) this.acceptAll();
    for (const [fd, name] of this.accepted) {
      if (name !== peer) continue;
      this.poller.unwatch(fd);
      this.accepted.delete(fd);
      return fd;
    }
    return null;
  }

  /** Every socket the server holds: its listener, its accepted connections, its fillers. */
  heldFds(): number[] {
    return [this.listener, ...this.accepted.keys(), ...this.fillers].filter((fd) => fd >= 0);
  }

  /** The process is gone: every socket it held closes at once, and nothing is reported. */
  closeEverything(): void {
    for (const fd of this.heldFds()) {
      this.poller.unwatch(fd);
      closeFd(fd);
    }
    this.listener = -1;
    this.accepted.clear();
    this.fillers.length = 0;
  }

  /**
   * From now on read one byte of what each connection sends first, then stop reading it: the
   * rest stays unread in its receive buffer, as a server that reads a request's first bytes and
   * closes before the body leaves it.
   */
  readHeads(): void {
    this.headsOnly = true;
  }

  /** Stop reading: what the client sends from now on stays unread in the receive buffer. */
  pauseReads(): void {
    for (const fd of this.accepted.keys()) this.poller.unwatch(fd);
  }
}
