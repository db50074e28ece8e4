// How many file descriptors a lab agent may open: its hard RLIMIT_NOFILE, which an agent
// raises up to fs.nr_open when it can: raising a hard limit needs CAP_SYS_RESOURCE in the
// machine's own user namespace (root inside a user namespace cannot, nor root in a container
// that dropped the capability).
import { readFileSync } from "node:fs";

export interface FileLimit {
  /** The most descriptors an agent can have. */
  limit: number;
  /** The hard limit the agents inherit (`ulimit -Hn`). */
  hard: number;
  /** fs.nr_open: the kernel's ceiling for any process. */
  nrOpen: number;
  /** Whether the agents can raise their hard limit (CAP_SYS_RESOURCE, initial user namespace). */
  canRaise: boolean;
}

const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
};

export function fileLimit(): FileLimit {
  const line = /^Max open files\s+(\S+)\s+(\S+)/m.exec(read("/proc/self/limits"));
  const parse = (v: string | undefined) =>
    v === undefined || v === "unlimited" ? Number.POSITIVE_INFINITY : Number(v);
  const nrOpen = Number(read("/proc/sys/fs/nr_open").trim()) || 1_048_576;
  const hard = Math.min(parse(line?.[2]), nrOpen);
  const canRaise = hasSysResource() && isInitialUserNamespace();
  return { limit: canRaise ? nrOpen : hard, hard, nrOpen, canRaise };
}

const CAP_SYS_RESOURCE = 24n;

/** Whether this process (and so the agents it starts) holds CAP_SYS_RESOURCE. */
function hasSysResource(): boolean {
  const eff = /^CapEff:\s+([0-9a-f]+)/m.exec(read("/proc/self/status"))?.[1];
  return eff !== undefined && ((BigInt(`0x${eff}`) >> CAP_SYS_RESOURCE) & 1n) === 1n;
}

/** The initial user namespace maps every uid to itself: "0 0 4294967295". */
function isInitialUserNamespace(): boolean {
  return /^\s*0\s+0\s+4294967295\s*$/.test(read("/proc/self/uid_map"));
}

/** Descriptors an agent needs for n connections of each of `workloads` groups, plus its own. */
export function descriptorsNeeded(connections: number, workloads: number): number {
  return connections * workloads + AGENT_OWN_DESCRIPTORS;
}

/** Node itself, stdio, epoll, eventfds, the listener: measured well under 100. */
export const AGENT_OWN_DESCRIPTORS = 100;
