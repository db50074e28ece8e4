// One completed syscall in strace's notation -> a TraceCall. The text is the call as strace
// would print it uninterrupted, "recvfrom(3<TCP:[a->b]>, 0x55e7, 102400, 0, NULL, NULL) = -1
// ETIMEDOUT (Connection timed out)"; unfinished/resumed halves are joined before this.
import { ACCEPT_CALLS, POLL_CALLS, READ_CALLS, WRITE_CALLS } from "./call-families.js";
import {
  flags,
  optionValue,
  parseFd,
  parseSockaddr,
  parseSocket,
  splitArgs,
} from "./strace-text.js";
import type { ReadyFd, TraceCall } from "./trace-types.js";

/** Calls whose first argument is not a descriptor. */
const NO_FD = new Set(["socket", "socketpair", "poll", "ppoll", "select", "pselect6"]);

export interface Returned {
  ret: number | null;
  decoration: string | null;
  errno: string | null;
  /** The parenthesised tail: "([{fd=5, revents=POLLOUT}])" -> "[{fd=5, revents=POLLOUT}]". */
  extra: string | null;
}

/** Split "name(args) = ret" into its parts; null when the text is not a call. */
export function splitCall(text: string): { call: string; args: string; returned: string } | null {
  const open = text.indexOf("(");
  const eq = text.lastIndexOf(") = ");
  if (open <= 0 || eq < open) return null;
  const call = text.slice(0, open);
  if (!/^[a-z_0-9]+$/.test(call)) return null;
  return { call, args: text.slice(open + 1, eq), returned: text.slice(eq + 4).trim() };
}

/** "-1 ETIMEDOUT (Connection timed out)", "3<TCP:[...]>", "1 ([...])", "? ERESTARTSYS (...)". */
export function parseReturn(text: string): Returned {
  const m =
    /^(-?\d+|\?|0x[0-9a-f]+)(<.*?>(?= |$))?(?: ([A-Z][A-Z0-9_]+) \(.*\))?(?: \((.*)\))?$/s.exec(
      text,
    );
  if (!m) return { ret: null, decoration: null, errno: null, extra: null };
  const ret = m[1] === "?" ? null : Number(m[1]);
  return {
    ret,
    decoration: m[2] ? m[2].slice(1, -1) : null,
    errno: m[3] ?? null,
    extra: m[4] ?? null,
  };
}

/** The ready descriptors a poll/select/epoll call reported. */
function readyFds(call: string, args: string[], extra: string | null): ReadyFd[] {
  const ready: ReadyFd[] = [];
  if (call === "poll" || call === "ppoll") {
    for (const m of (extra ?? "").matchAll(/fd=(\d+)(?:<[^,]*>)?, revents=([A-Z_|]+)/g))
      ready.push({ fd: Number(m[1]), events: flags(m[2]) });
  } else if (call === "select" || call === "pselect6") {
    for (const m of (extra ?? "").matchAll(/(in|out|except) \[([^\]]*)\]/g)) {
      const event = m[1] === "in" ? "READ" : m[1] === "out" ? "WRITE" : "EXCEPT";
      for (const fd of m[2].matchAll(/(\d+)(?:<[^ ]*>)?/g))
        ready.push({ fd: Number(fd[1]), events: [event] });
    }
  } else {
    // epoll: the descriptor is whatever the program stored in the event's data (libuv and
    // most loops store the fd; epoll_ctl records let the caller map it back).
    for (const m of (args[1] ?? "").matchAll(/events=([A-Z_|]+), data=\{u32=(\d+)/g))
      ready.push({ fd: Number(m[2]), events: flags(m[1]) });
  }
  return ready;
}

/** Decode one completed call; null for text that is not a call strace completed. */
export function decodeCall(
  text: string,
  pid: number,
  startMs: number,
  returnMs: number,
): TraceCall | null {
  const parts = splitCall(text);
  if (!parts) return null;
  const { call } = parts;
  const args = splitArgs(parts.args);
  const returned = parseReturn(parts.returned);
  const first = NO_FD.has(call) ? null : parseFd(args[0] ?? "");
  const interrupted = returned.errno?.startsWith("ERESTART") ?? false;
  const failed = returned.errno !== null;
  const isRead = READ_CALLS.has(call);
  let result = failed ? (returned.errno as string) : "OK";
  if (!failed && isRead && returned.ret === 0) result = "EOF";
  const event: TraceCall = {
    kind: "call",
    pid,
    call,
    fd: first?.fd ?? null,
    socket: parseSocket(first?.decoration ?? null),
    ret: failed ? -1 : returned.ret,
    result,
    errno: returned.errno,
    startMs,
    returnMs,
  };
  if (interrupted) event.interrupted = true;
  if (ACCEPT_CALLS.has(call) && !failed) {
    event.fd = returned.ret;
    event.socket = parseSocket(returned.decoration);
  }
  if (call === "socket" && !failed) {
    event.fd = returned.ret;
    event.socket = parseSocket(returned.decoration);
  }
  if (!failed && (isRead || WRITE_CALLS.has(call)) && returned.ret !== null)
    event.bytes = returned.ret;
  if (POLL_CALLS.has(call) && !failed) event.ready = readyFds(call, args, returned.extra);
  if (call === "setsockopt" || call === "getsockopt")
    event.option = {
      level: args[1] ?? "?",
      name: args[2] ?? "?",
      value: optionValue(args[3] ?? ""),
    };
  if (call === "connect") event.address = parseSockaddr(args[1] ?? "") ?? undefined;
  if (call === "epoll_ctl") {
    const target = parseFd(args[2] ?? "");
    const data = /data=\{u32=(\d+)/.exec(args[3] ?? "")?.[1];
    if (target) {
      event.epoll = { op: args[1] ?? "?", fd: target.fd, data: data ? Number(data) : null };
      event.socket = parseSocket(target.decoration);
    }
  }
  return event;
}
