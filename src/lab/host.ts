// A lab host: a network namespace held by a tiny process (`unshare --net -- sh`, waiting on
// its stdin). The namespace lives exactly as long as its holder and the agents that joined it;
// the holder exits when tcpdrop closes its stdin, and also when tcpdrop dies, because the
// kernel then closes that pipe. A host is "crashed" by ending all of them at once.
import { type ChildProcess, spawn } from "node:child_process";
import { readlinkSync } from "node:fs";
import { SetupError } from "../errors.js";
import { withTimeout } from "../timeout.js";
import { forget, remember } from "./registry.js";

const START_TIMEOUT_MS = 5000;

export class Host {
  readonly exited: Promise<void>;
  private alive = true;

  private constructor(
    readonly name: string,
    private readonly holder: ChildProcess,
    readonly pid: number,
  ) {
    this.exited = new Promise((resolve) => {
      holder.on("exit", () => {
        this.alive = false;
        forget(pid);
        resolve();
      });
    });
  }

  /** Start a holder in a new network namespace; resolves once the namespace exists. */
  static start(name: string): Promise<Host> {
    const holder = spawn("unshare", ["--net", "--", "sh", "-c", "echo ready; read _"], {
      stdio: ["pipe", "pipe", "pipe"],
    });
    const starting = new Promise<Host>((resolve, reject) => {
      if (holder.pid === undefined) {
        holder.on("error", (err) =>
          reject(new SetupError(`cannot start the ${name} host: ${err.message}`)),
        );
        return;
      }
      const pid = holder.pid;
      remember(pid);
      let stderr = "";
      holder.stderr?.on("data", (d) => {
        stderr += d;
      });
      holder.stdout?.once("data", () => {
        try {
          assertOwnNamespace(pid, name);
        } catch (err) {
          holder.kill("SIGKILL");
          reject(err);
          return;
        }
        resolve(new Host(name, holder, pid));
      });
      holder.on("exit", () => {
        forget(pid);
        const why = stderr.trim().split("\n").pop() || "unshare --net failed";
        reject(new SetupError(`cannot create the ${name} host's network namespace: ${why}`));
      });
    });
    return withTimeout(starting, START_TIMEOUT_MS, () => {
      holder.kill("SIGKILL");
      return new SetupError(`the ${name} host did not start within ${START_TIMEOUT_MS} ms`);
    });
  }

  /** The path other processes join this host's namespace by. */
  get netns(): string {
    return `/proc/${this.pid}/ns/net`;
  }

  kill(): void {
    if (this.alive) this.holder.kill("SIGKILL");
  }
}

/**
 * The lab is sacred: refuse to configure anything unless the holder really is in a namespace
 * of its own, not the machine's (or tcpdrop's own).
 */
function assertOwnNamespace(pid: number, name: string): void {
  const mine = readlinkSync("/proc/self/ns/net");
  const theirs = readlinkSync(`/proc/${pid}/ns/net`);
  if (mine === theirs) {
    throw new SetupError(
      `the ${name} host is not in a network namespace of its own; refusing to configure it`,
    );
  }
}
