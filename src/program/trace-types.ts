// What a traced program did, one record per line strace wrote: a socket call that returned, a
// call still blocked when the trace ended (the hang users hunt for), a signal, a process exit.
// Times are CLOCK_MONOTONIC milliseconds, the clock every tcpdrop event uses.

/** A TCP socket as strace -yy names it. */
export interface SocketRef {
  /** "TCP" or "TCPv6". */
  proto: string;
  /** Local and remote address ("198.51.100.2:40126"), once the socket is connected. */
  tuple: { src: string; dst: string } | null;
  /** The local address of a listening (or only bound) socket. */
  local: string | null;
  /** The socket's inode, shown while it is neither bound nor connected. */
  inode: number | null;
}

/** A socket option as the program set (or read) it. */
export interface SocketOption {
  level: string;
  name: string;
  /** The integer value ([1] in strace's notation), or strace's text for anything else. */
  value: number | string;
}

/** A descriptor poll/select/epoll reported ready, with its events. */
export interface ReadyFd {
  fd: number;
  events: string[];
}

export interface TraceCall {
  kind: "call";
  pid: number;
  /** The syscall's own name: recvfrom, read, epoll_wait, ... */
  call: string;
  /** The descriptor the call is about (the first argument), when it has one. */
  fd: number | null;
  /** Set when fd is a TCP socket (for accept: the new socket the call returned). */
  socket: SocketRef | null;
  /** The raw return value (-1 on error; null when strace printed "?"). */
  ret: number | null;
  /** "OK", "EOF" (a read-family call returned 0) or the errno name. */
  result: string;
  errno: string | null;
  /** Bytes moved by a read- or write-family call that succeeded. */
  bytes?: number;
  /** poll/select/epoll: the ready descriptors. */
  ready?: ReadyFd[];
  /** setsockopt/getsockopt: the option. */
  option?: SocketOption;
  /** connect: the address dialled, "203.0.113.2:7000". */
  address?: string;
  /** epoll_ctl: the descriptor added/modified/removed and its user data (libuv puts the fd there). */
  epoll?: { op: string; fd: number; data: number | null };
  /** True when the kernel restarts the call after a signal (ERESTARTSYS...): not a result. */
  interrupted?: boolean;
  startMs: number;
  returnMs: number;
}

/** A call that had not returned when the trace ended (or when its process died). */
export interface BlockedCall {
  kind: "blocked";
  pid: number;
  call: string;
  fd: number | null;
  socket: SocketRef | null;
  /** connect: the address it was dialling. */
  address?: string;
  startMs: number;
  /** When its process died inside it; null when it was still blocked at the end. */
  endedMs: number | null;
}

export interface TraceSignal {
  kind: "signal";
  pid: number;
  signal: string;
  atMs: number;
}

export interface TraceExit {
  kind: "exit";
  pid: number;
  code: number | null;
  signal: string | null;
  atMs: number;
}

export type TraceRecord = TraceCall | BlockedCall | TraceSignal | TraceExit;
