// A lab host: a network namespace of its own, made by tcpdrop's own process and held by one
// descriptor (netns.ts). It lives as long as tcpdrop holds it or anything made inside it lives:
// the host's sockets, and the processes started in it (nsenter --net=<netns>). A host is
// "crashed" by ending all of them at once; when tcpdrop dies, even by SIGKILL, the kernel
// closes the descriptor and reclaims the namespace with its links and routes.
import { closeSync } from "node:fs";
import { newNetns } from "./netns.js";

export class Host {
  readonly exited: Promise<void>;
  private ended: () => void = () => {};
  private fd: number | null;

  private constructor(
    readonly name: string,
    fd: number,
  ) {
    this.fd = fd;
    this.exited = new Promise((resolve) => {
      this.ended = resolve;
    });
  }

  /** A new host with an empty network namespace (no link but a down loopback). */
  static async start(name: string): Promise<Host> {
    return new Host(name, newNetns(`the ${name} host`));
  }

  /** The path other processes join this host's namespace by, and `ip ... netns` names it by. */
  get netns(): string {
    return `/proc/${process.pid}/fd/${this.fd ?? -1}`;
  }

  /** Let go of the namespace: it ends once nothing made inside it is left. */
  kill(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
    this.ended();
  }
}
