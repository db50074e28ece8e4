// One epoll loop (src/agent/poller.ts) for everything in tcpdrop's own process that waits on a
// descriptor: the in-process agents' sockets, and the stand-ins' exits (exit-wake.ts). Its
// wait runs on one koffi worker thread, taken by the first user and given back by the last.
import { Poller } from "../agent/poller.js";

let shared: { poller: Poller; users: number } | undefined;

export function takePoller(): Poller {
  if (!shared) {
    const poller = new Poller();
    poller.start();
    shared = { poller, users: 0 };
  }
  shared.users++;
  return shared.poller;
}

/** The last user gone (an in-process agent, an exit watched): the loop stops and its worker
 * thread comes back. */
export async function releasePoller(): Promise<void> {
  if (!shared || --shared.users > 0) return;
  const { poller } = shared;
  shared = undefined;
  await poller.stop();
}
