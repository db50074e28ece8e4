// Remote mode's flags: which side runs where (--client-via, --server-via, command prefixes such
// as `ssh user@host`), what the client dials (--server-addr, --port) and the agent's command
// line on the other end (--remote-command). Remote mode changes nothing on a real host but its
// own test traffic and, for host faults, firewall rules of its own: settings that would change
// a real host's kernel (--retries2, --syn-retries) are refused, as are lab-only settings.
import { UsageError } from "../errors.js";
import { nodeNet } from "../node-net.js";
import type { RemoteOptions, Settings } from "../types.js";

export type { RemoteOptions } from "../types.js";

export interface RemoteFlags {
  clientVia?: string;
  serverVia?: string;
  serverAddr?: string;
  port?: string;
  remoteCommand?: string;
}

export const DEFAULT_REMOTE_PORT = 7000;

/** The remote options, or undefined when no --*-via was given (the sealed lab). */
export function parseRemote(flags: RemoteFlags): RemoteOptions | undefined {
  const { clientVia, serverVia, serverAddr } = flags;
  if (clientVia === undefined && serverVia === undefined) {
    const stray = (["serverAddr", "port", "remoteCommand"] as const).find((k) => flags[k]);
    if (stray) throw new UsageError(`--${kebab(stray)} needs --client-via or --server-via`);
    return undefined;
  }
  for (const [flag, value] of [
    ["--client-via", clientVia],
    ["--server-via", serverVia],
    ["--remote-command", flags.remoteCommand],
  ] as const) {
    if (value !== undefined && !value.trim()) throw new UsageError(`${flag} is empty`);
  }
  if (!serverAddr) {
    throw new UsageError(
      "remote mode needs --server-addr: the server's IP address as the client host reaches it",
    );
  }
  // node:net only here, in remote mode (node-net.ts)
  if (!nodeNet().isIP(serverAddr)) {
    throw new UsageError(`--server-addr ${serverAddr} is not an IP address (e.g. 10.0.0.7)`);
  }
  const port = flags.port === undefined ? DEFAULT_REMOTE_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port ${flags.port} is not a TCP port (1-65535)`);
  }
  return { clientVia, serverVia, serverAddr, port, remoteCommand: flags.remoteCommand };
}

/** The settings with remote mode's options, if any --*-via was given (checked against them). */
export function withRemote(flags: RemoteFlags, settings: Settings): Settings {
  const remote = parseRemote(flags);
  if (!remote) return settings;
  refuseLabOnly(settings);
  return { ...settings, remote };
}

/** Settings a remote run cannot honour without changing a real host, or that need the lab. */
export function refuseLabOnly(settings: Settings): void {
  const refused: [boolean, string][] = [
    [settings.retries2 !== null, "--retries2 would change a real host's sysctl"],
    [settings.synRetries != null, "--syn-retries would change a real host's sysctl"],
    [settings.ipv6 === true, "--ipv6 is the lab's; the family follows --server-addr"],
    [settings.observer === "server", "--observer server needs the lab"],
    [settings.icmpRatelimitMs != null, "--icmp-ratelimit is the lab router's sysctl"],
  ];
  const hit = refused.find(([bad]) => bad);
  if (hit) {
    throw new UsageError(
      `remote mode: ${hit[1]}; drop the flag (set kernel settings on the host yourself, or use --user-timeout)`,
    );
  }
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
