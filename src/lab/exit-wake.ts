// Waking when a child process exits, instead of looking for its exit every few ms. pidfd_open(2)
// (Linux 5.3) gives a descriptor that turns readable once the process has exited; the shared
// epoll loop (shared-poller.ts) watches it, and waitExit (posix-spawn.ts) then reaps
// the process at once. A stand-in that a fault freezes lives for the whole run: looked for
// every 2 ms, it woke tcpdrop 500 times a second; watched, not once until it ends, and its end
// is seen when the poller wakes rather than up to 2 ms late.

import { EPOLLIN, SYS_PIDFD_OPEN, sys } from "../agent/libc.js";
import { sleep } from "../clock.js";
import { releasePoller, takePoller } from "./shared-poller.js";

/** A pause for waitExit, and its release once the process has been reaped. */
export interface ExitWake {
  pause(): Promise<void>;
  close(): void;
}

/** Without a pidfd (a kernel before 5.3), the process is looked for this often. */
const FALLBACK_POLL_MS = 2;
/** A watched process is still looked for this often, in case a wake-up were ever missed. */
const SAFETY_POLL_MS = 250;

export function exitWake(pid: number): ExitWake {
  const pidfd = Number(sys.syscall(SYS_PIDFD_OPEN, "int", pid, "unsigned int", 0));
  if (pidfd < 0) return { pause: () => sleep(FALLBACK_POLL_MS), close: () => {} };
  const poller = takePoller();
  let exited = false;
  let wake = () => {};
  poller.watch(pidfd, EPOLLIN, () => {
    exited = true;
    poller.unwatch(pidfd); // readable for good: level-triggered, it would wake the loop again
    wake();
  });
  let closed = false;
  return {
    // once it has exited, waitpid reaps it at once: a 1 ms pause only if it did not
    pause: () =>
      exited
        ? sleep(1)
        : new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, SAFETY_POLL_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          }),
    close: () => {
      if (closed) return;
      closed = true;
      poller.unwatch(pidfd);
      sys.close(pidfd);
      void releasePoller();
    },
  };
}
