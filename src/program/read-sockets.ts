// Reading and aborting sockets of any process in a lab host, from outside it, with iproute2's
// ss inside the host's network namespace:
// - `ss -tinoeH state all` reads every socket's TCP_INFO through sock_diag (see ss-info.ts);
// - `ss -K` destroys sockets (SOCK_DESTROY, CONFIG_INET_DIAG_DESTROY): the kernel sends the
//   peer a RST, exactly what an abort (SO_LINGER {1,0} then close) puts on the wire, and the
//   owner's next call fails ECONNABORTED. This is how a foreign server can be made to abort.
import { execFile } from "node:child_process";
import { nowMs } from "../clock.js";
import { SetupError } from "../errors.js";
import { parseSs, type SocketInfo, SS_ARGS } from "./ss-info.js";

const TIMEOUT_MS = 5000;

function ss(netns: string, args: string[], what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "nsenter",
      [`--net=${netns}`, "--", "ss", ...args],
      { timeout: TIMEOUT_MS, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) {
          const why = stderr.trim().split("\n").pop() || err.message;
          reject(new SetupError(`${what} failed (ss ${args.join(" ")}): ${why}`));
        } else resolve(stdout);
      },
    );
  });
}

/** A reading of every TCP socket in a host, at CLOCK_MONOTONIC ms `t`. */
export interface SocketReading {
  t: number;
  sockets: SocketInfo[];
}

/** Every TCP socket in the host, with the CLOCK_MONOTONIC ms the reading was taken. */
export async function readSockets(netns: string): Promise<SocketReading> {
  const out = await ss(netns, SS_ARGS, "reading TCP_INFO");
  return { t: nowMs(), sockets: parseSs(out) };
}

/**
 * Abort every established connection to or from `port` in the host (SOCK_DESTROY). Resolves
 * with the sockets ss reports destroyed; an empty list means there was none.
 */
export async function abortConnections(netns: string, port: number): Promise<SocketInfo[]> {
  const filter = [
    "state",
    "established",
    "(",
    "sport",
    "=",
    `:${port}`,
    "or",
    "dport",
    "=",
    `:${port}`,
    ")",
  ];
  const out = await ss(netns, ["-K", "-tinoeH", ...filter], "aborting the connections");
  return parseSs(out, "ESTABLISHED");
}

/**
 * Wait until something listens on ip:port in the host (a user's server is up), polling ss;
 * false when nothing does within `timeoutMs`.
 */
export async function waitListening(
  netns: string,
  ip: string,
  port: number,
  timeoutMs: number,
): Promise<boolean> {
  const wanted = new Set([
    ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`,
    `0.0.0.0:${port}`,
    `*:${port}`,
    `[::]:${port}`,
  ]);
  const end = nowMs() + timeoutMs;
  for (;;) {
    const { sockets } = await readSockets(netns);
    if (sockets.some((s) => s.state === "LISTEN" && wanted.has(s.local))) return true;
    if (nowMs() >= end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
