// A watched client connection. "idle" waits in recv and never writes; "writer" sends a small
// message every few hundred ms and reads whatever comes back. After the first failing call the
// connection goes on briefly (send, send, recv, 100 ms apart) so the report shows the whole
// sequence the kernel gives, then closes and reports itself done.
import {
  applyOptions,
  closeFd,
  connectResult,
  localAddress,
  type Outcome,
  recvOnce,
  type SocketOptions,
  sendOnce,
  startConnect,
  tcpSocket,
} from "./calls.js";
import { emit, emitCall } from "./emit.js";
import { EPOLLIN, EPOLLOUT, EPOLLRDHUP } from "./libc.js";
import type { Poller } from "./poller.js";

export interface ClientSpec {
  conn: string;
  workload: "idle" | "writer";
  ip: string;
  port: number;
  options: SocketOptions;
  sendIntervalMs: number;
  /** "syscall": raw libc calls through koffi; "node": a node:net socket. */
  engine?: "syscall" | "node";
}

const PAYLOAD = Buffer.from("ping\n");
const FOLLOW_UP_GAP_MS = 100;

/** Results that do not end a connection: a successful call, or a non-blocking "not now". */
const isFailure = (result: string) => result !== "OK" && result !== "EAGAIN";

export class ClientConnection {
  readonly fd: number;
  private sendTimer: NodeJS.Timeout | undefined;
  private failed = false;

  constructor(
    private readonly spec: ClientSpec,
    private readonly poller: Poller,
    private readonly onConnected: (ok: boolean) => void,
  ) {
    this.fd = tcpSocket();
    applyOptions(this.fd, spec.options);
  }

  start(): void {
    const out = startConnect(this.fd, this.spec.ip, this.spec.port);
    if (out.result === "EINPROGRESS") {
      this.poller.watch(this.fd, EPOLLOUT, () => this.connected(connectResult(this.fd)));
    } else {
      this.connected(out);
    }
  }

  private connected(out: Outcome): void {
    const { result } = out;
    const detail = `${localAddress(this.fd)} -> ${this.spec.ip}:${this.spec.port}`;
    this.record("connect", out, detail);
    this.onConnected(result === "OK");
    if (result !== "OK") return;
    this.poller.watch(this.fd, EPOLLIN | EPOLLRDHUP, () => this.readable());
    if (this.spec.workload === "writer") {
      this.send();
      this.sendTimer = setInterval(() => this.send(), this.spec.sendIntervalMs);
    }
  }

  private readable(): void {
    const out = recvOnce(this.fd);
    if (out.result === "EAGAIN") return;
    this.record("recv", out);
  }

  private send(): void {
    this.record("send", sendOnce(this.fd, PAYLOAD));
  }

  private record(call: string, out: Outcome, detail?: string): void {
    const { result, bytes, t } = out;
    emitCall({ side: "client", conn: this.spec.conn, call, result, bytes, detail }, t);
    if (!this.failed && isFailure(result)) this.fail(call === "connect");
  }

  /** First failure: stop the workload, then a short, fixed follow-up sequence. */
  private fail(connectFailed: boolean): void {
    this.failed = true;
    clearInterval(this.sendTimer);
    this.poller.unwatch(this.fd);
    if (connectFailed) {
      this.finish();
      return;
    }
    const steps = [() => this.send(), () => this.send(), () => this.followUpRecv()];
    steps.forEach((step, i) => {
      setTimeout(step, FOLLOW_UP_GAP_MS * (i + 1));
    });
    setTimeout(() => this.finish(), FOLLOW_UP_GAP_MS * steps.length);
  }

  private followUpRecv(): void {
    const out = recvOnce(this.fd);
    emitCall({
      side: "client",
      conn: this.spec.conn,
      call: "recv",
      result: out.result,
      bytes: out.bytes,
    });
  }

  private finish(): void {
    const { result } = closeFd(this.fd);
    emitCall({ side: "client", conn: this.spec.conn, call: "close", result });
    emit({ type: "done", conn: this.spec.conn });
  }
}
