// Kernel settings of one lab host: written and read inside its network namespace only
// (/proc/sys/net belongs to the namespace of the process that opens it), never the machine's.
import { spawn } from "node:child_process";
import { SetupError } from "../errors.js";
import type { Host } from "./host.js";

/** Sysctls read from the client namespace for the report and the predictions. */
export const REPORTED_SYSCTLS = [
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
];

const SAFE_KEY = /^[a-z0-9_.]+$/;
const SAFE_VALUE = /^[0-9 ]+$/;

/** Set `set`, then read `get`, in one shell inside the host's namespace. */
export function hostSysctls(
  host: Host,
  set: Record<string, string>,
  get: string[] = [],
): Promise<Record<string, string>> {
  const path = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new SetupError(`bad sysctl name ${key}`);
    return `/proc/sys/${key.replaceAll(".", "/")}`;
  };
  const lines = Object.entries(set).map(([key, value]) => {
    if (!SAFE_VALUE.test(value)) throw new SetupError(`bad value for ${key}: ${value}`);
    return `echo ${value} > ${path(key)}`;
  });
  lines.push(...get.map((key) => `echo "${key}=$(cat ${path(key)})"`));
  return new Promise((resolve, reject) => {
    const child = spawn("nsenter", [`--net=${host.netns}`, "--", "sh", "-ec", lines.join("\n")]);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    child.on("error", (e) =>
      reject(new SetupError(`cannot set sysctls on the ${host.name} host: ${e.message}`)),
    );
    child.on("exit", (code) => {
      if (code !== 0) {
        reject(
          new SetupError(
            `cannot set sysctls on the ${host.name} host: ${err.trim() || `exit ${code}`}`,
          ),
        );
        return;
      }
      const values: Record<string, string> = {};
      for (const line of out.trim().split("\n")) {
        const at = line.indexOf("=");
        if (at > 0) values[line.slice(0, at)] = line.slice(at + 1);
      }
      resolve(values);
    });
  });
}
