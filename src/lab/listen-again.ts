// A restarted server's listen on the port its killed predecessor held. That socket is gone
// once the predecessor (its stand-in, src/transport/stand-in.ts) has exited and no spawn of
// tcpdrop's is under way (spawnsSettled). One window stays: the kernel releases a vfork parent
// inside exec a few instructions before the child closes its close-on-exec descriptors, so a
// child that another lab spawned at that moment holds a copy of the old listener for those
// microseconds, longer if it is preempted there (seen once in the e2e catalogue, three labs
// at once: bind EADDRINUSE). The port is free a moment later, so the listen is tried again
// for a short while; any other error, or one that lasts, is the run's setup error as before.
import { nowMs, sleep } from "../clock.js";

/** How long a copy held inside another child's exec may keep the port. */
const PORT_FREE_MS = 200;

export async function listenAgain(listen: () => Promise<unknown>): Promise<void> {
  const giveUp = nowMs() + PORT_FREE_MS;
  for (;;) {
    try {
      await listen();
      return;
    } catch (err) {
      if (!/EADDRINUSE/.test((err as Error).message) || nowMs() >= giveUp) throw err;
      await sleep(1);
    }
  }
}
