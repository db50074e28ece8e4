// A watched client connection, and how it watches (its workload):
// - idle: waits in recv and never writes, like the client in the seeds that sees nothing
//   (with answerPings, the peer of a heartbeat watched from the server, it answers each ping);
// - writer: sends a small message every few hundred ms and reads whatever comes back;
// - urgent: like writer, but each probe is one MSG_OOB byte;
// - heartbeat: an application ping every P ms, answered by the server; dead after N misses;
// - poll: never reads; reports each readiness bit (POLLIN, POLLRDHUP, POLLHUP, POLLERR) the
//   first time it appears;
// - tcp-info: never reads; polls TCP_INFO every few ms and reports state, retransmission,
//   probe and backoff changes;
// - pooled: a connection in a pool: idle, then one request after requestAfterMs, then it waits
//   for the answer (and closes once it has it), as a client meets a middlebox's idle timeout.
// After the first failing call the connection goes on briefly (send, send, recv, followUpGapMs
// apart, or sooner once the peer has answered: its RST or its ACK) so the report shows the
// whole sequence the kernel gives, then closes and is done.

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
import { type AgentContext, emitCall } from "./context.js";
import { FollowUpHold } from "./follow-up-hold.js";
import { afterGapOrAnswer } from "./follow-up-wait.js";
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
  /** The socket; -1 once it is closed (a snapshot then reads nothing). */
  fd: number;
  private readonly poller: Poller;
  /** Its process is gone (stop()): whatever was scheduled does nothing. */
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private failed = false;
  private pollSeen = 0;
  private pongs = 0;
  private misses = 0;
  private infoWatch: TcpInfoWatch | undefined;
  private sentBeat = false;
  private sentOnce = false;
  private readonly followUps: FollowUpHold;

  /** With `adopted`, watch an accepted socket (the server side) instead of connecting. */
  constructor(
    private readonly spec: ClientSpec,
    private readonly ctx: AgentContext,
    private readonly onConnected: (ok: boolean) => void,
    private readonly adopted?: number,
  ) {
    this.poller = ctx.poller;
    this.followUps = new FollowUpHold(spec.holdFollowUps);
    this.fd = adopted ?? tcpSocket(ctx.openSocket, spec.ip);
    applyOptions(this.fd, spec.options);
  }

  start(): void {
    if (this.stopped) return;
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
      const beat = () => {
        if (!this.ctx.sends.isHeld) tick();
      };
      beat();
      this.timer = setTimeout(() => {
        beat();
        this.timer = setInterval(beat, sendIntervalMs);
      }, this.spec.firstGapMs ?? sendIntervalMs);
    }
    if (workload === "pooled") {
      const request = () =>
        this.record("send", sendOnce(this.fd, REQUEST_BYTES, 0, this.spec.sigpipe));
      this.timer = setTimeout(request, this.spec.requestAfterMs ?? 0);
    }
  }

  private readable(): void {
    const pooled = this.spec.workload === "pooled";
    const out = recvOnce(this.fd, pooled || this.spec.answerPings);
    if (out.result === "EAGAIN") return;
    if (this.spec.workload === "heartbeat" && out.result === "OK") this.pongs++;
    const answered = pooled && out.data?.toString().includes(ANSWER);
    this.record("recv", out, answered ? "answer" : undefined);
    if (this.spec.answerPings && !this.failed) {
      // the peer of a heartbeat watched from the server: a pong for each ping, as the server
      // answers the client's
      const pings = (out.data?.toString() ?? "").split(HEARTBEAT).length - 1;
      for (let i = 0; i < pings; i++)
        this.record("send", sendOnce(this.fd, HEARTBEAT_PING, 0, this.spec.sigpipe));
    }
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
    if (this.stopped) return;
    const { result, bytes, t } = out;
    const side = this.spec.side ?? "client";
    // Quiet: connects, failures and the first send (it gives the send rhythm's phase) only.
    const first = call === "send" && !this.sentOnce;
    if (call === "send") this.sentOnce = true;
    const routine =
      (result === "OK" || result === "EAGAIN") && call !== "connect" && !this.failed && !first;
    if (!(this.spec.quiet && routine))
      emitCall(this.ctx, { side, conn: this.spec.conn, call, result, bytes, detail }, t);
    if (!this.failed && isFailure(call, result)) this.fail(call === "connect");
  }

  /** First failure: stop the workload, then a short, fixed follow-up sequence. */
  private fail(connectFailed: boolean): void {
    this.failed = true;
    clearInterval(this.timer);
    this.poller.unwatch(this.fd);
    // At scale (quiet) the first failure is all that is reported: no follow-up calls, and the
    // close waits until the other sockets of this wake-up are read, so that thousands of
    // connections timing out together are each stamped when their call returned.
    if (connectFailed || this.spec.quiet) {
      if (connectFailed) this.finish();
      else setImmediate(() => this.finish());
      return;
    }
    const steps = [
      () => this.send(),
      () => this.send(),
      () => this.record("recv", recvOnce(this.fd)),
    ];
    // Each call comes a whole gap after the one before, even when the event loop was late, so
    // that what the peer answers a call with (a RST, an ACK) always has the gap to arrive; once
    // it has (the socket hung up, or all it wrote is ACKed) the next call goes at once
    // (follow-up-wait.ts). A socket whose TCP_INFO is sampled meanwhile (tcp-info, a trace)
    // keeps the whole gaps: the samples between the calls are its answer.
    const gap = this.spec.followUpGapMs ?? FOLLOW_UP_GAP_MS;
    const wait = (go: () => void) =>
      this.infoWatch ? setTimeout(go, gap) : afterGapOrAnswer(this.poller, () => this.fd, gap, go);
    const next = (i: number): void => {
      wait(() => {
        steps[i]();
        if (i + 1 < steps.length) next(i + 1);
        else this.finish();
      });
    };
    this.followUps.whenReleased(() => next(0));
  }

  /** The fault is done (`release`): held follow-up calls go on. */
  release(): void {
    this.followUps.release();
  }

  private finish(): void {
    if (this.stopped || this.fd < 0) return;
    this.infoWatch?.stop();
    const closed = closeFd(this.fd);
    this.fd = -1;
    if (!this.spec.quiet) this.record("close", closed);
    this.ctx.emit({ type: "done", conn: this.spec.conn });
  }

  /**
   * The process that holds the connection is gone: nothing more is called or reported, and the
   * socket closes now (the kernel's close, as when a process dies).
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.timer);
    this.infoWatch?.stop();
    if (this.fd < 0) return;
    this.poller.unwatch(this.fd);
    closeFd(this.fd);
    this.fd = -1;
  }
}
