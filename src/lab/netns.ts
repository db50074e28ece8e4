// Lab namespaces from tcpdrop's own process. A new one is made by the main thread with
// unshare(2) and held by a descriptor (the thread then returns home), so it lives exactly as
// long as tcpdrop holds it, or anything made inside it (a socket, a process) still does: when
// tcpdrop dies, even by SIGKILL, the kernel closes the descriptor and reclaims the namespace.
// inNetns runs one synchronous step inside a namespace: the thread joins it with setns(2), the
// step runs, and the thread is back before anything else can run on it. A socket belongs to the
// namespace it was created in, and /proc/sys/net shows the namespace of the thread that opens
// it, so a socket() or a sysctl write made in a step stays in the lab for good. Only the calling
// thread moves: libuv's and koffi's other threads never leave tcpdrop's own namespace, and
// nothing asynchronous may start inside a step.
import { closeSync, openSync, readlinkSync } from "node:fs";
import { CLONE_NEWNET, errnoName, lastErrno, sys } from "../agent/libc.js";
import { SetupError } from "../errors.js";

const SELF = "/proc/thread-self/ns/net";
let home: number | undefined;

/** This thread's own namespace, opened once, before it ever leaves it. */
function homeNamespace(): number {
  home ??= openSync(SELF, "r");
  return home;
}

/**
 * A new, empty network namespace held by the returned descriptor. The lab is sacred: it is
 * checked to be a namespace of its own, never tcpdrop's (or the machine's).
 */
export function newNetns(what: string): number {
  const back = homeNamespace();
  const mine = readlinkSync(SELF);
  if (sys.unshare(CLONE_NEWNET) !== 0) {
    throw new SetupError(`cannot create ${what}'s network namespace: ${errnoName(lastErrno())}`);
  }
  let fd: number;
  try {
    fd = openSync(SELF, "r");
  } finally {
    returnHome(back);
  }
  if (readlinkSync(`/proc/self/fd/${fd}`) === mine) {
    closeSync(fd);
    throw new SetupError(`${what} is not in a network namespace of its own; refusing to use it`);
  }
  return fd;
}

/** Run `step` with this thread in the network namespace at `netns` (a path to an ns file). */
export function inNetns<T>(netns: string, step: () => T): T {
  const back = homeNamespace();
  let target: number;
  try {
    target = openSync(netns, "r");
  } catch (err) {
    throw new SetupError(`cannot open the lab namespace ${netns}: ${(err as Error).message}`);
  }
  try {
    if (sys.setns(target, CLONE_NEWNET) !== 0) {
      throw new SetupError(`cannot enter the lab namespace ${netns}: ${errnoName(lastErrno())}`);
    }
    try {
      return step();
    } finally {
      returnHome(back);
    }
  } finally {
    closeSync(target);
  }
}

/** Back to tcpdrop's own namespace; a thread that cannot go back must not go on at all. */
function returnHome(back: number): void {
  if (sys.setns(back, CLONE_NEWNET) === 0) return;
  process.stderr.write(
    `tcpdrop: cannot return to its own network namespace (${errnoName(lastErrno())}); stopping\n`,
  );
  process.exit(70);
}
