// Two "hosts" for remote-mode tests, built here and not by tcpdrop's lab code: two network
// namespaces held by `unshare --net` processes of this test, joined by one veth pair created
// inside the client's namespace (nothing touches the machine's own), documentation addresses
// only. tcpdrop reaches them through `nsenter --net=/proc/PID/ns/net --` as its transport, the
// way it would reach real hosts through ssh. The holders exit when the test closes their stdin.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { ROOT } from "./helpers.js";

export const CLIENT_ADDR = "198.51.100.10";
export const SERVER_ADDR = "198.51.100.20";
/** The agent's command line on the "remote" hosts: this checkout's build (--remote-command). */
export const REMOTE_COMMAND = `${process.execPath} ${ROOT}bin/tcpdrop.js agent`;

export interface FakeHost {
  pid: number;
  via: string;
  /** Run a command inside this host's namespace. */
  sh(cmd: string, args: string[]): string;
}

function holder(): Promise<{ child: ChildProcess; pid: number }> {
  const child = spawn("unshare", ["--net", "--", "sh", "-c", "echo ready; read _"], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.once("data", () => resolve({ child, pid: child.pid as number }));
    child.on("error", reject);
  });
}

function host(pid: number): FakeHost {
  const netns = `/proc/${pid}/ns/net`;
  return {
    pid,
    via: `nsenter --net=${netns} --`,
    sh: (cmd, args) =>
      execFileSync("nsenter", [`--net=${netns}`, "--", cmd, ...args], { encoding: "utf8" }),
  };
}

export class FakeHosts {
  private constructor(
    readonly client: FakeHost,
    readonly server: FakeHost,
    private readonly holders: ChildProcess[],
  ) {}

  static async create(): Promise<FakeHosts> {
    const [c, s] = await Promise.all([holder(), holder()]);
    const client = host(c.pid);
    const server = host(s.pid);
    client.sh("ip", [
      "link",
      "add",
      "eth0",
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      String(s.pid),
    ]);
    for (const [h, addr] of [
      [client, CLIENT_ADDR],
      [server, SERVER_ADDR],
    ] as const) {
      h.sh("ip", ["addr", "add", `${addr}/24`, "dev", "eth0"]);
      h.sh("ip", ["link", "set", "eth0", "up"]);
      h.sh("ip", ["link", "set", "lo", "up"]);
      h.sh("sysctl", ["-qw", "net.ipv6.conf.eth0.disable_ipv6=1"]);
    }
    return new FakeHosts(client, server, [c.child, s.child]);
  }

  /** What a run may not leave behind on either host: nft tables, routes, links, addresses. */
  state(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, h] of [
      ["client", this.client],
      ["server", this.server],
    ] as const) {
      out[`${name} nft`] = h.sh("nft", ["list", "ruleset"]);
      out[`${name} routes`] = h.sh("ip", ["route", "show", "table", "all"]);
      out[`${name} links`] = h.sh("ip", ["-o", "link", "show"]);
      out[`${name} agents`] = agentsIn(h.pid).join(",");
    }
    return out;
  }

  destroy(): void {
    for (const child of this.holders) child.stdin?.end();
  }
}

/** PIDs of tcpdrop agents (this checkout's) running in a host's network namespace. */
export function agentsIn(holderPid: number): number[] {
  const netns = readlinkNet(holderPid);
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        return argv.includes(`${ROOT}bin/tcpdrop.js\0agent`) && readlinkNet(pid) === netns;
      } catch {
        return false;
      }
    });
}

function readlinkNet(pid: number): string {
  return execFileSync("readlink", [`/proc/${pid}/ns/net`], { encoding: "utf8" }).trim();
}
