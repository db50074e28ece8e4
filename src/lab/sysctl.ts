// Kernel settings of one lab host: written and read inside its network namespace only
// (/proc/sys/net belongs to the namespace of the thread that opens it: netns.ts), never the
// machine's.
import { readFileSync, writeFileSync } from "node:fs";
import { SetupError } from "../errors.js";
import type { Host } from "./host.js";
import { inNetns } from "./netns.js";

/** Sysctls read from the client namespace for the report and the predictions. */
export const REPORTED_SYSCTLS = [
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
  // Linux 6.5+; absent before (read as missing, modelled as 0).
  "net.ipv4.tcp_syn_linear_timeouts",
];

const SAFE_KEY = /^[a-z0-9_.]+$/;
const SAFE_VALUE = /^[0-9 ]+$/;

/** Set `set`, then read `get`, inside the host's namespace. */
export async function hostSysctls(
  host: Host,
  set: Record<string, string>,
  get: string[] = [],
): Promise<Record<string, string>> {
  const path = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new SetupError(`bad sysctl name ${key}`);
    return `/proc/sys/${key.replaceAll(".", "/")}`;
  };
  for (const [key, value] of Object.entries(set)) {
    if (!SAFE_VALUE.test(value)) throw new SetupError(`bad value for ${key}: ${value}`);
  }
  return inNetns(host.netns, () => {
    for (const [key, value] of Object.entries(set)) {
      try {
        writeFileSync(path(key), value);
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        throw new SetupError(`cannot set ${key} on the ${host.name} host: ${why}`);
      }
    }
    const values: Record<string, string> = {};
    for (const key of get) {
      try {
        values[key] = readFileSync(path(key), "utf8").trim();
      } catch {
        // A sysctl this kernel lacks reads as missing: leave it out.
      }
    }
    return values;
  });
}
