// The wait before each of a connection's follow-up calls: --follow-up-gap, or less once the
// peer has answered everything the connection sent. The gap is there for that answer to
// arrive, ~50 µs in the lab:
// - A send to a peer whose kernel has closed the connection is answered with RST. Once it has
//   arrived the socket is closed (EPOLLHUP), and nothing can change what the next calls get
//   (EPIPE, EOF).
// - A peer that is there ACKs: once nothing the connection wrote is unsent or unacknowledged
//   (TCP_INFO: tcpi_unacked and tcpi_notsent_bytes both 0), the answer is in, and a RST cannot
//   follow it as an answer to the same bytes.
// A socket still waiting for an answer (a host gone silent, an ICMP's soft error, an ACK the
// peer delays) waits the whole gap. What the peer does of its own accord meanwhile (a server
// that closes later) is its own timing, which no gap catches for sure.
import { outstanding } from "./calls.js";
import { EPOLLET, EPOLLHUP } from "./libc.js";
import type { Poller } from "./poller.js";

/** How often an open socket is asked whether its data has all been ACKed (no event says so). */
const ACKED_POLL_MS = 1;

/**
 * Run `go` after gapMs, or as soon as the peer has answered: the socket reports EPOLLHUP, or
 * it has nothing unsent or unacknowledged (at once if either holds already). `socket()` is its
 * fd now: -1, or another number, once its owner has closed it meanwhile.
 */
export function afterGapOrAnswer(
  poller: Poller,
  socket: () => number,
  gapMs: number,
  go: () => void,
): void {
  const fd = socket();
  let waiting = true;
  let poll: NodeJS.Timeout | undefined;
  const proceed = () => {
    if (!waiting) return;
    waiting = false;
    clearTimeout(timer);
    clearTimeout(poll);
    // (an fd its owner closed may already be another socket's)
    if (socket() === fd) poller.unwatch(fd);
    go();
  };
  const timer = setTimeout(proceed, gapMs);
  if (fd < 0) return;
  const acked = () => {
    if (!waiting || socket() !== fd) return;
    if (outstanding(fd) === 0) proceed();
    else poll = setTimeout(acked, ACKED_POLL_MS);
  };
  try {
    // EPOLLHUP and EPOLLERR are always reported; edge-triggered, so that a pending error (an
    // ICMP's, which leaves the socket open) wakes this once rather than spinning for the gap.
    poller.watch(fd, EPOLLET, (_, events) => {
      if (events & EPOLLHUP) proceed();
    });
  } catch {
    // the agent is going away (its poller has stopped): the timer alone
    return;
  }
  acked();
}
