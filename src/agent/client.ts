// A watched client connection, and how it watches (its workload):
// - idle: waits in recv and never writes, like the client in the seeds that sees nothing;
// - writer: sends a small message every few hundred ms and reads whatever comes back;
// - urgent: like writer, but each probe is one MSG_OOB byte;
// - heartbeat: an application ping every P ms, answered by the server; dead after N misses;
// - poll: never reads; reports each readiness bit (POLLIN, POLLRDHUP, POLLHUP, POLLERR) the
//   first time it appears;
// - tcp-info: never reads; polls TCP_INFO every few ms and reports state, retransmission,
//   probe and backoff changes;
// - pooled: a connection in a pool: idle, then one request after requestAfterMs, then it waits
//   for the answer (and closes once it has it), as a client meets a middlebox's idle timeout.
// After the first failing call the connection goes on briefly (send, send, recv, 100 ms
// apart) so the report shows the whole sequence the kernel gives, then closes and is done.

import { nowMs } from "../clock.js";
import { ANSWER, FOLLOW_UP_GAP_MS, HEARTBEAT, PAYLOAD, REQUEST } from "../defaults.js";
import { isFailure } from "../failure.js";
import type { ClientSpec } from "../protocol.js";
import {
  applyOptions,
  closeFd,
  connectResult,
  localAddress,
  type Outcome,
  recvOnce,
  sendOnce,
  startConnect,
  tcpSocket,
} from "./calls.js";
import { emit, emitCall } from "./emit.js";
import { EPOLLERR, EPOLLET, EPOLLHUP, EPOLLIN, EPOLLOUT, EPOLLRDHUP, MSG_OOB } from "./libc.js";
import type { Poller } from "./poller.js";
import { TcpInfoWatch } from "./tcpinfo-watch.js";

export type { ClientSpec, Workload } from "../protocol.js";

const HEARTBEAT_PING = Buffer.from(HEARTBEAT);
const URGENT = Buffer.from("!");
/** pooled: the request the server answers with ANSWER. */
const REQUEST_BYTES = Buffer.from(REQUEST);
const POLL_BITS: [number, string][] = [
  [EPOLLIN, "POLLIN"],
  [EPOLLRDHUP, "POLLRDHUP"],
  [EPOLLHUP, "POLLHUP"],
  [EPOLLERR, "POLLERR"],
];

export class ClientConnection {
  readonly fd: number;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private pollSeen = 0;
  private pongs = 0;
  private misses = 0;
  private infoWatch: TcpInfoWatch | undefined;
  private sentBeat = false;
  private sentOnce = false;

  /** With `adopted`, watch an accepted socket (the server side) instead of connecting. */
  constructor(
    private readonly spec: ClientSpec,
    private readonly poller: Poller,
    private readonly onConnected: (ok: boolean) => void,
    private readonly adopted?: number,
  ) {
    this.fd = adopted ?? tcpSocket(spec.ip);
    applyOptions(this.fd, spec.options);
  }

  start(): void {
    if (this.adopted !== undefined) {
      this.watchWorkload();
      this.onConnected(true);
      return;
    }
    const out = startConnect(this.fd, this.spec.ip, this.spec.port);
    if (out.result === "EINPROGRESS") {
      this.poller.watch(this.fd, EPOLLOUT, () => this.connected(connectResult(this.fd)));
    } else {
      this.connected(out);
    }
  }

  private connected(out: Outcome): void {
    const detail = `${localAddress(this.fd)} -> ${this.spec.ip}:${this.spec.port}`;
    this.record("connect", out, detail);
    this.onConnected(out.result === "OK");
    this.poller.unwatch(this.fd); // the connect watch (EPOLLOUT) has done its job
    if (out.result === "OK") this.watchWorkload();
  }

  private watchWorkload(): void {
    const { workload, sendIntervalMs } = this.spec;
    if (workload === "poll") {
      this.poller.watch(this.fd, EPOLLIN | EPOLLRDHUP | EPOLLET, (_, events) =>
        this.polled(events),
      );
    } else if (workload !== "tcp-info") {
      this.poller.watch(this.fd, EPOLLIN | EPOLLRDHUP, () => this.readable());
    }
    if (workload === "tcp-info" || this.spec.trace) {
      // For the tcp-info method a state change is the sign; for a traced workload, a note.
      const call = workload === "tcp-info" ? "tcp_info" : "trace";
      this.infoWatch = new TcpInfoWatch(this.fd, (result, detail, t) =>
        this.record(call, { result, ret: 0, t }, detail),
      );
    }
    const tick = {
      writer: () => this.send(),
      urgent: () => this.sendUrgent(),
      heartbeat: () => this.beat(),
    }[workload as "writer" | "urgent" | "heartbeat"];
    if (tick) {
      tick();
      this.timer = setInterval(tick, sendIntervalMs);
    }
    if (workload === "pooled") {
      const request = () =>
        this.record("send", sendOnce(this.fd, REQUEST_BYTES, 0, this.spec.sigpipe));
      this.timer = setTimeout(request, this.spec.requestAfterMs ?? 0);
    }
  }

  private readable(): void {
    const pooled = this.spec.workload === "pooled";
    const out = recvOnce(this.fd, pooled);
    if (out.result === "EAGAIN") return;
    if (this.spec.workload === "heartbeat" && out.result === "OK") this.pongs++;
    const answered = pooled && out.data?.toString().includes(ANSWER);
    this.record("recv", out, answered ? "answer" : undefined);
    if (answered && !this.failed) {
      this.failed = true; // done: no follow-up calls after the answer
      this.poller.unwatch(this.fd);
      this.finish();
    }
  }

  /** poll: report readiness bits as they first appear, without reading. */
  private polled(events: number): void {
    const fresh = POLL_BITS.filter(([bit]) => events & bit && !(this.pollSeen & bit));
    if (fresh.length === 0) return;
    for (const [bit] of fresh) this.pollSeen |= bit;
    const names = fresh.map(([, name]) => name).join("|");
    const alarming = events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR);
    // POLLIN alone is data (a heartbeat echo, say), not a sign of failure.
    this.record("poll", { result: alarming ? names : "OK", ret: 0, t: nowMs() }, names);
  }

  private send(): void {
    this.record("send", sendOnce(this.fd, PAYLOAD, 0, this.spec.sigpipe));
  }

  private sendUrgent(): void {
    this.record("send", sendOnce(this.fd, URGENT, MSG_OOB, this.spec.sigpipe), "MSG_OOB");
  }

  /** heartbeat: a tick without a pong since the last one is a miss; N in a row is death. */
  private beat(): void {
    if (this.sentBeat && this.pongs === 0) {
      this.misses++;
      const limit = this.spec.heartbeatMisses ?? 3;
      const dead = this.misses >= limit;
      const detail = `${this.misses} of ${limit} pings unanswered`;
      this.record("heartbeat", { result: dead ? "DEAD" : "MISS", ret: 0, t: nowMs() }, detail);
      if (dead) return;
    } else {
      this.misses = 0;
    }
    this.pongs = 0;
    this.sentBeat = true;
    this.record("send", sendOnce(this.fd, HEARTBEAT_PING, 0, this.spec.sigpipe));
  }

  private record(call: string, out: Outcome, detail?: string): void {
    const { result, bytes, t } = out;
    const side = this.spec.side ?? "client";
    // Quiet: connects, failures and the first send (it gives the send rhythm's phase) only.
    const first = call === "send" && !this.sentOnce;
    if (call === "send") this.sentOnce = true;
    const routine =
      (result === "OK" || result === "EAGAIN") && call !== "connect" && !this.failed && !first;
    if (!(this.spec.quiet && routine))
      emitCall({ side, conn: this.spec.conn, call, result, bytes, detail }, t);
    if (!this.failed && isFailure(call, result)) this.fail(call === "connect");
  }

  /** First failure: stop the workload, then a short, fixed follow-up sequence. */
  private fail(connectFailed: boolean): void {
    this.failed = true;
    clearInterval(this.timer);
    this.poller.unwatch(this.fd);
    // At scale (quiet) the first failure is all that is reported: no follow-up calls.
    if (connectFailed || this.spec.quiet) {
      this.finish();
      return;
    }
    const steps = [
      () => this.send(),
      () => this.send(),
      () => this.record("recv", recvOnce(this.fd)),
    ];
    steps.forEach((step, i) => {
      setTimeout(step, FOLLOW_UP_GAP_MS * (i + 1));
    });
    setTimeout(() => this.finish(), FOLLOW_UP_GAP_MS * steps.length);
  }

  private finish(): void {
    this.infoWatch?.stop();
    this.record("close", closeFd(this.fd));
    emit({ type: "done", conn: this.spec.conn });
  }
}
