// Which syscalls read from a socket and which write to it. Expectations say `recv` for every
// read-family call and `send` for every write-family call, whatever the program really called.

export const READ_CALLS = new Set(["read", "readv", "recv", "recvfrom", "recvmsg", "recvmmsg"]);
export const WRITE_CALLS = new Set(["write", "writev", "send", "sendto", "sendmsg", "sendmmsg"]);
export const POLL_CALLS = new Set([
  "poll",
  "ppoll",
  "select",
  "pselect6",
  "epoll_wait",
  "epoll_pwait",
  "epoll_pwait2",
]);
export const ACCEPT_CALLS = new Set(["accept", "accept4"]);

/** The name an expectation uses for a call: recv, send, or the call's own name. */
export function familyName(call: string): string {
  if (READ_CALLS.has(call)) return "recv";
  if (WRITE_CALLS.has(call)) return "send";
  return call;
}

/**
 * The syscalls tcpdrop asks strace to trace: the network group (socket, connect, accept,
 * send*, recv*, setsockopt, getsockopt, shutdown, ...) and the descriptor calls programs use
 * on sockets too. epoll_ctl is traced to learn which descriptor an epoll event stands for.
 */
export const TRACED_CALLS = [
  "%network",
  "read",
  "readv",
  "write",
  "writev",
  "close",
  "poll",
  "ppoll",
  "select",
  "pselect6",
  "epoll_ctl",
  "epoll_wait",
  "epoll_pwait",
  "epoll_pwait2",
];
