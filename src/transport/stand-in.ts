// A real process for an in-process server to be signalled through. The signals no program can
// catch are the kernel's business: SIGKILL ends a process and the kernel closes every socket it
// held (FIN, or RST where data is unread), SIGSTOP freezes it while the kernel goes on ACKing.
// So where a fault sends one of them to the server, a small process is started that inherits
// the server's sockets at spawn (as fds 3, 4, ...), the in-process end drops its own copies
// without a word, and the signal goes to that process: when it dies, its sockets were the last
// references, and the kernel closes them as it closes a crashed server's.
// The process is `setpriv --pdeathsig KILL -- sh -c '...'`, which checks that tcpdrop is still
// its parent, says "ready" and becomes `sleep infinity`: it dies with tcpdrop even when stopped,
// and one whose parent died before setpriv armed that exits at once. It is started with
// posix_spawn (src/lab/posix-spawn.ts), not a fork of Node: the server's sockets are duplicated
// at the signal, so the in-process end can fall silent at once, and the duplicates are closed
// once the stand-in holds its own.
import { readFileSync } from "node:fs";
import { sleep } from "../clock.js";
import { exitWake } from "../lab/exit-wake.js";
import {
  c,
  dupFd,
  type Ended,
  pipe,
  posixSpawn,
  spawnsSettled,
  waitExit,
} from "../lab/posix-spawn.js";
import { forget, remember } from "../lab/registry.js";
import { nodeNet } from "../node-net.js";

export interface StandIn {
  /** Resolves once it is `sleep` (or about to be), armed to die with tcpdrop. */
  readonly ready: Promise<void>;
  readonly exited: Promise<Ended>;
  kill(signal: NodeJS.Signals): void;
}

const SCRIPT = 'test "$PPID" = "$1" || exit 1; echo ready; exec sleep infinity';

/**
 * Start a process holding these socket descriptors. They are duplicated at once, so the caller
 * may close its own right away; if the process cannot start, the duplicates close as it would.
 */
export function standIn(fds: readonly number[]): StandIn {
  // numbered above the 3, 4, ... they become in the child, so that no dup2 there overwrites
  // one not yet moved
  const held = fds.map((fd) => dupFd(fd, 3 + fds.length)).filter((fd) => fd >= 0);
  const argv = ["--pdeathsig", "KILL", "--", "sh", "-c", SCRIPT, "sh", String(process.pid)];
  const started = (async () => {
    const [outRead, outWrite] = pipe();
    try {
      const pid = await posixSpawn("setpriv", argv, ["null", outWrite, "null", ...held]);
      remember(pid);
      return { pid, out: new (nodeNet().Socket)({ fd: outRead, readable: true, writable: false }) };
    } catch {
      c.close(outRead);
      return null; // not started: the duplicates close below, as the process's sockets would
    } finally {
      c.close(outWrite);
      for (const fd of held) c.close(fd);
    }
  })();
  let running = true;
  const exited = started.then(async (s) => {
    if (!s) return { code: null, signal: null };
    // woken at its exit (a frozen one lives for the whole run)
    const wake = exitWake(s.pid);
    const end = await waitExit(s.pid, wake.pause).finally(wake.close);
    // and no other child of ours, still exec'ing, holds a copy of its sockets: they are closed
    await spawnsSettled();
    running = false;
    forget(s.pid);
    s.out.destroy();
    return end;
  });
  const ready = started.then(
    (s) =>
      new Promise<void>((resolve) => {
        if (!s) return resolve();
        s.out.once("data", () => void becameSleep(s.pid).then(resolve));
        void exited.then(() => resolve());
      }),
  );
  return {
    ready,
    exited,
    kill(signal) {
      void started.then((s) => {
        if (s && running) process.kill(s.pid, signal);
      });
    },
  };
}

/** After "ready", sh execs sleep within a few ms: wait for it (a stopped sh would do, too). */
async function becameSleep(pid: number | undefined, capMs = 1000): Promise<void> {
  for (let waited = 0; pid !== undefined && waited < capMs; waited++) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "sleep") return;
    } catch {
      return; // gone
    }
    await sleep(1);
  }
}
