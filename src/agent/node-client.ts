// A watched client connection made the way a Node.js service makes it: a node:net socket,
// with libuv doing the syscalls. What it reports is what the runtime tells the program:
// 'connect', data and 'end' (EOF) as "read", write callbacks as "write", and errors by
// err.code and err.syscall. libuv reads before it writes, so many errors surface as "read".
// Options Node cannot set (TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT) go through koffi on
// the socket's file descriptor, after setKeepAlive() has set what libuv sets.
import type { Socket } from "node:net";
import { FOLLOW_UP_GAP_MS, PAYLOAD, REQUEST } from "../defaults.js";
import { nodeNet } from "../node-net.js";
import type { ClientSpec } from "../protocol.js";
import { getIntOpt, setIntOpt } from "./calls.js";
import { emit, emitCall } from "./emit.js";
import { FollowUpHold } from "./follow-up-hold.js";
import { IPPROTO_TCP, TCP_KEEPCNT, TCP_KEEPINTVL, TCP_USER_TIMEOUT } from "./libc.js";

export class NodeClientConnection {
  fd = -1;
  private socket: Socket | undefined;
  private sendTimer: NodeJS.Timeout | undefined;
  private failed = false;
  private readonly followUps: FollowUpHold;

  constructor(
    private readonly spec: ClientSpec,
    private readonly onConnected: (ok: boolean) => void,
  ) {
    this.followUps = new FollowUpHold(spec.holdFollowUps);
  }

  start(): void {
    const socket = nodeNet().connect({ host: this.spec.ip, port: this.spec.port, noDelay: true });
    this.socket = socket;
    socket.once("connect", () => this.connected(socket));
    socket.on("data", (data) => this.record("read", "OK", data.length));
    socket.on("end", () => this.record("read", "EOF"));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (!socket.remoteAddress && !this.failed && this.fd < 0) this.onConnected(false);
      this.record(err.syscall ?? "error", err.code ?? err.message);
    });
  }

  private connected(socket: Socket): void {
    this.fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
    const detail = `${socket.localAddress}:${socket.localPort} -> ${this.spec.ip}:${this.spec.port}`;
    this.record("connect", "OK", undefined, `${detail}${this.applyOptions(socket)}`);
    this.onConnected(true);
    if (this.spec.workload === "writer") {
      this.write();
      this.sendTimer = setTimeout(() => {
        this.write();
        this.sendTimer = setInterval(() => this.write(), this.spec.sendIntervalMs);
      }, this.spec.firstGapMs ?? this.spec.sendIntervalMs);
    }
    if (this.spec.workload === "pooled") {
      const request = Buffer.from(REQUEST);
      this.sendTimer = setTimeout(() => this.write(request), this.spec.requestAfterMs ?? 0);
    }
  }

  /** setKeepAlive first (what a Node program does), then what Node has no API for. */
  private applyOptions(socket: Socket): string {
    const { keepalive, userTimeoutMs } = this.spec.options;
    let note = "";
    if (keepalive) {
      socket.setKeepAlive(true, keepalive.idle * 1000);
      const libuvIntvl = getIntOpt(this.fd, IPPROTO_TCP, TCP_KEEPINTVL);
      const libuvCnt = getIntOpt(this.fd, IPPROTO_TCP, TCP_KEEPCNT);
      note = ` (setKeepAlive set intvl ${libuvIntvl} s, cnt ${libuvCnt}; tcpdrop set ${keepalive.interval} s, ${keepalive.count})`;
      setIntOpt(this.fd, IPPROTO_TCP, TCP_KEEPINTVL, keepalive.interval, "TCP_KEEPINTVL");
      setIntOpt(this.fd, IPPROTO_TCP, TCP_KEEPCNT, keepalive.count, "TCP_KEEPCNT");
    }
    if (userTimeoutMs != null) {
      setIntOpt(this.fd, IPPROTO_TCP, TCP_USER_TIMEOUT, userTimeoutMs, "TCP_USER_TIMEOUT");
    }
    return note;
  }

  private write(data = PAYLOAD): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.write(data, (err?: Error | null) => {
        const e = err as NodeJS.ErrnoException | null | undefined;
        this.record("write", e ? (e.code ?? e.message) : "OK", e ? undefined : data.length);
      });
    } catch (err) {
      this.record("write", (err as NodeJS.ErrnoException).code ?? "ERROR");
    }
  }

  private record(call: string, result: string, bytes?: number, detail?: string): void {
    emitCall({ side: "client", conn: this.spec.conn, call, result, bytes, detail });
    if (!this.failed && result !== "OK") this.fail();
  }

  /**
   * First failure: stop the workload, write twice more, then destroy, each a whole
   * followUpGapMs after the one before (even when the event loop was late).
   */
  private fail(): void {
    this.failed = true;
    clearInterval(this.sendTimer);
    const gap = this.spec.followUpGapMs ?? FOLLOW_UP_GAP_MS;
    const destroy = () => {
      this.socket?.destroy();
      emitCall({ side: "client", conn: this.spec.conn, call: "destroy", result: "OK" });
      emit({ type: "done", conn: this.spec.conn });
    };
    const steps = [() => this.write(), () => this.write(), destroy];
    const next = (i: number): void => {
      setTimeout(() => {
        steps[i]();
        if (i + 1 < steps.length) next(i + 1);
      }, gap);
    };
    this.followUps.whenReleased(() => next(0));
  }

  /** The fault is done (`release`): held follow-up calls go on. */
  release(): void {
    this.followUps.release();
  }
}
