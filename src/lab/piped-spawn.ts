// A long-lived tool whose stdin, stdout and stderr are pipes to tcpdrop (the packet capture's
// tcpdump), started with posix_spawn instead of a fork of Node (posix-spawn.ts says why). Its
// pipes are Node streams; `closed` resolves once its stdout and stderr have closed and it has
// exited, as a ChildProcess's "close" event does.
import type { Socket } from "node:net";
import { nodeNet } from "../node-net.js";
import { exitWake } from "./exit-wake.js";
import { c, pipe, posixSpawn, waitExit } from "./posix-spawn.js";

export interface PipedChild {
  readonly pid: number;
  readonly stdin: Socket;
  readonly stdout: Socket;
  readonly stderr: Socket;
  /** Resolves once its stdout and stderr have closed and it has exited. */
  readonly closed: Promise<void>;
  /** Until it has been reaped. */
  readonly running: boolean;
  kill(signal: NodeJS.Signals): void;
}

/** Start `file` (searched on PATH) with `args`; rejects ("ENOENT"...) if it cannot. */
export async function pipedSpawn(file: string, args: string[]): Promise<PipedChild> {
  const [inRead, inWrite] = pipe();
  const [outRead, outWrite] = pipe();
  const [errRead, errWrite] = pipe();
  let pid: number;
  try {
    pid = await posixSpawn(file, args, [inRead, outWrite, errWrite]);
  } catch (err) {
    for (const fd of [inWrite, outRead, errRead]) c.close(fd);
    throw err;
  } finally {
    for (const fd of [inRead, outWrite, errWrite]) c.close(fd);
  }
  const { Socket } = nodeNet();
  const stdin = new Socket({ fd: inWrite, readable: false, writable: true });
  const stdout = new Socket({ fd: outRead, readable: true, writable: false });
  const stderr = new Socket({ fd: errRead, readable: true, writable: false });
  let running = true;
  const gone = (s: Socket) => new Promise<void>((resolve) => s.once("close", () => resolve()));
  // Reaped as it exits (exit-wake.ts: no look every few ms while it runs). Then its stdin goes,
  // as Node's spawn destroys a dead child's stdin: whatever else of its own still reads that
  // pipe (a watchdog) sees EOF and ends too.
  const wake = exitWake(pid);
  const exited = waitExit(pid, wake.pause)
    .finally(wake.close)
    .then(() => {
      running = false;
      stdin.destroy();
    });
  const closed = Promise.all([exited, gone(stdout), gone(stderr)]).then(() => {});
  return {
    pid,
    stdin,
    stdout,
    stderr,
    closed,
    get running() {
      return running;
    },
    kill(signal) {
      if (running) process.kill(pid, signal);
    },
  };
}
