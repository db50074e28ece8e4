// The wait before each of a connection's follow-up calls: --follow-up-gap, or less once the
// socket has hung up. A follow-up send to a peer whose kernel has closed the connection is
// answered with RST (~50 µs in the lab); once it has arrived the socket is closed (EPOLLHUP),
// and nothing can change what the next calls get (EPIPE, EOF): they need not wait for it. A
// socket still open (a FIN alone, a peer that ACKs, a host gone silent) waits the whole gap.
import { EPOLLET, EPOLLHUP } from "./libc.js";
import type { Poller } from "./poller.js";

/**
 * Run `go` after gapMs, or as soon as the socket reports EPOLLHUP (at once if it already does).
 * `socket()` is its fd now: -1, or another number, once its owner has closed it meanwhile.
 */
export function afterGapOrHangup(
  poller: Poller,
  socket: () => number,
  gapMs: number,
  go: () => void,
): void {
  const fd = socket();
  let waiting = true;
  const proceed = () => {
    if (!waiting) return;
    waiting = false;
    clearTimeout(timer);
    // (an fd its owner closed may already be another socket's)
    if (socket() === fd) poller.unwatch(fd);
    go();
  };
  const timer = setTimeout(proceed, gapMs);
  if (fd < 0) return;
  try {
    // EPOLLHUP and EPOLLERR are always reported; edge-triggered, so that a pending error (an
    // ICMP's, which leaves the socket open) wakes this once rather than spinning for the gap.
    poller.watch(fd, EPOLLET, (_, events) => {
      if (events & EPOLLHUP) proceed();
    });
  } catch {
    // the agent is going away (its poller has stopped): the timer alone
  }
}
