// A streaming reader of strace's output with the flags tcpdrop uses (-f, -yy, -v, -s 0,
// --absolute-timestamps=unix,ns, --syscall-times=ns, -o). Each line is
//   PID SECONDS.NANOS BODY [<DURATION>]
// where the time is CLOCK_REALTIME at the call's entry and DURATION how long it took, so the
// call returned at time + duration. With several threads or processes a call that blocks is
// printed in two halves, "read(3<...>,  <unfinished ...>" and later "<... read resumed>...)
// = 0"; the halves are joined by PID. A call whose half never came is still blocked when the
// trace ends: the hang users hunt for. Pure: lines in, records out.
import { decodeCall, splitCall } from "./strace-decode.js";
import { parseFd, parseSockaddr, parseSocket, splitArgs } from "./strace-text.js";
import type { BlockedCall, TraceRecord } from "./trace-types.js";

const LINE = /^(\d+) +(\d+)\.(\d+) (.*)$/s;
const DURATION = / <(\d+\.\d+)>$/;
const UNFINISHED = / ?<(unfinished|detached) \.\.\.>$/;
const RESUMED = /^<\.\.\. ([a-z_0-9]+) resumed>(.*)$/s;

interface Pending {
  text: string;
  startMs: number;
}

export class StraceParser {
  private readonly pending = new Map<number, Pending>();

  /**
   * @param realMinusMonoMs CLOCK_REALTIME minus CLOCK_MONOTONIC, in ms, sampled together
   *   (see clock.ts): strace stamps in realtime, tcpdrop's events in monotonic time.
   */
  constructor(private readonly realMinusMonoMs: number) {}

  /** Seconds and nanoseconds of CLOCK_REALTIME -> CLOCK_MONOTONIC ms. */
  private toMs(seconds: string, fraction: string): number {
    const nanos = Number(fraction.padEnd(9, "0").slice(0, 9));
    return Number(seconds) * 1000 + nanos / 1e6 - this.realMinusMonoMs;
  }

  /** One line of strace output -> the records it completes (often one, sometimes none). */
  push(line: string): TraceRecord[] {
    const m = LINE.exec(line.trimEnd());
    if (!m) return [];
    const pid = Number(m[1]);
    const atMs = this.toMs(m[2], m[3]);
    let body = m[4];
    const exit = /^\+\+\+ (exited with (\d+)|killed by (SIG[A-Z0-9]+)).* \+\+\+$/.exec(body);
    if (exit) {
      const died = this.diedInside(pid, atMs);
      const code = exit[2] === undefined ? null : Number(exit[2]);
      return [...died, { kind: "exit", pid, code, signal: exit[3] ?? null, atMs }];
    }
    const signal = /^--- (SIG[A-Z0-9]+) /.exec(body);
    if (signal) return [{ kind: "signal", pid, signal: signal[1], atMs }];
    const duration = DURATION.exec(body);
    if (duration) body = body.slice(0, duration.index);
    const took = duration ? Number(duration[1]) * 1000 : null;
    const resumed = RESUMED.exec(body);
    if (resumed) return this.resume(pid, resumed[1], resumed[2], atMs, took);
    if (UNFINISHED.test(body)) {
      this.pending.set(pid, { text: body.replace(UNFINISHED, ""), startMs: atMs });
      return [];
    }
    return this.complete(pid, body, atMs, took, atMs);
  }

  /** The trace ended: calls never completed are blocked; a last line cut short is one too. */
  end(partial = ""): BlockedCall[] {
    const m = LINE.exec(partial.trim());
    if (m && /^[a-z_0-9]+\(/.test(m[4]))
      this.pending.set(Number(m[1]), { text: m[4], startMs: this.toMs(m[2], m[3]) });
    const blocked = [...this.pending.entries()].map(([pid, p]) => blocked_(pid, p, null));
    this.pending.clear();
    return blocked;
  }

  /** The calls still blocked now, without ending anything (for a live view). */
  blockedNow(): BlockedCall[] {
    return [...this.pending.entries()].map(([pid, p]) => blocked_(pid, p, null));
  }

  private resume(
    pid: number,
    call: string,
    rest: string,
    atMs: number,
    took: number | null,
  ): TraceRecord[] {
    const half = this.pending.get(pid);
    this.pending.delete(pid);
    const startMs = half?.startMs ?? (took === null ? atMs : atMs - took);
    const text = `${half?.text ?? `${call}(`}${rest}`;
    if (UNFINISHED.test(rest.split(") = ")[0] ?? "")) {
      // "<... read resumed> <unfinished ...>) = ?": the process died inside the call.
      return [blocked_(pid, { text: half?.text ?? `${call}(`, startMs }, atMs)];
    }
    return this.complete(pid, text, startMs, took, atMs);
  }

  private complete(
    pid: number,
    text: string,
    startMs: number,
    took: number | null,
    atMs: number,
  ): TraceRecord[] {
    const parts = splitCall(text);
    if (parts && /^\?$/.test(parts.returned)) return [blocked_(pid, { text, startMs }, atMs)];
    const returnMs = took === null ? atMs : startMs + took;
    const call = decodeCall(text, pid, startMs, returnMs);
    return call ? [call] : [];
  }

  /** A process exits or is killed while a call of its was pending. */
  private diedInside(pid: number, atMs: number): BlockedCall[] {
    const half = this.pending.get(pid);
    if (!half) return [];
    this.pending.delete(pid);
    return [blocked_(pid, half, atMs)];
  }
}

/** A call that never returned: its name and descriptor, read from its first half. */
function blocked_(pid: number, p: Pending, endedMs: number | null): BlockedCall {
  const open = p.text.indexOf("(");
  const call = open > 0 ? p.text.slice(0, open) : p.text;
  const args = splitArgs(p.text.slice(open + 1));
  const first = parseFd(args[0] ?? "");
  const blocked: BlockedCall = {
    kind: "blocked",
    pid,
    call,
    fd: first?.fd ?? null,
    socket: parseSocket(first?.decoration ?? null),
    startMs: p.startMs,
    endedMs,
  };
  const address = call === "connect" ? parseSockaddr(args[1] ?? "") : null;
  if (address) blocked.address = address;
  return blocked;
}
