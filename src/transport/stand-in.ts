// A real process for an in-process server to be signalled through. The signals no program can
// catch are the kernel's business: SIGKILL ends a process and the kernel closes every socket it
// held (FIN, or RST where data is unread), SIGSTOP freezes it while the kernel goes on ACKing.
// So where a fault sends one of them to the server, a small process is started that inherits
// the server's sockets at spawn (as fds 3, 4, ...), the in-process end drops its own copies
// without a word, and the signal goes to that process: when it dies, its sockets were the last
// references, and the kernel closes them as it closes a crashed server's.
// The process is `setpriv --pdeathsig KILL -- sh -c '...'`, which checks that tcpdrop is still
// its parent, says "ready" and becomes `sleep infinity`: it dies with tcpdrop even when stopped,
// and one whose parent died before setpriv armed that exits at once.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { sleep } from "../clock.js";
import { forget, remember } from "../lab/registry.js";
import type { ChannelExit } from "./transport.js";

export interface StandIn {
  readonly pid: number | undefined;
  /** Resolves once it is `sleep` (or about to be), armed to die with tcpdrop. */
  readonly ready: Promise<void>;
  readonly exited: Promise<ChannelExit>;
  kill(signal: NodeJS.Signals): void;
}

const SCRIPT = 'test "$PPID" = "$1" || exit 1; echo ready; exec sleep infinity';

/** Start a process holding these socket descriptors (they stay open in this process too). */
export function standIn(fds: readonly number[]): StandIn {
  const argv = ["--pdeathsig", "KILL", "--", "sh", "-c", SCRIPT, "sh", String(process.pid)];
  const child = spawn("setpriv", argv, { stdio: ["ignore", "pipe", "ignore", ...fds] });
  const pid = child.pid;
  if (pid !== undefined) remember(pid);
  const exited = new Promise<ChannelExit>((resolve) => {
    const done = (exit: ChannelExit) => {
      if (pid !== undefined) forget(pid);
      resolve(exit);
    };
    child.on("exit", (code, signal) => done({ code, signal }));
    child.on("error", () => done({ code: null, signal: null }));
  });
  const ready = new Promise<void>((resolve) => {
    child.stdout?.once("data", () => void becameSleep(pid).then(resolve));
    void exited.then(() => resolve());
  });
  return {
    pid,
    ready,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
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
