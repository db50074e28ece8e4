// What an agent does for remote mode as "the host" rather than as a process with sockets: say
// which kernel it runs and its TCP sysctls (for the predictions), signal another tcpdrop agent
// on the same host (process faults), and firewall the test's connections (host faults, see
// firewall.ts). On a real host these are the only things tcpdrop changes, and only while a run
// lasts.
import { readFileSync } from "node:fs";
import { release } from "node:os";
import { nowMs } from "../clock.js";
import { kernelHz } from "../plan/kernel.js";
import type { Command, Reply } from "../protocol.js";
import { Firewall } from "./firewall.js";

/** The sysctls a remote host reports: the same as the lab's client namespace. */
const HOST_SYSCTLS = [
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
];

/** Agents this one stopped: they are killed when this one ends, so that none is left frozen. */
const stopped = new Set<number>();
const firewall = new Firewall();

export function hostInfo(): Reply<"host-info"> {
  const sysctls: Record<string, string> = {};
  for (const key of HOST_SYSCTLS) {
    try {
      sysctls[key] = readFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, "utf8").trim();
    } catch {
      // not readable here: left out, the default is assumed
    }
  }
  const { hz, known } = kernelHz();
  return { kernel: release(), hz, hzKnown: known, sysctls };
}

export function signalAgent(cmd: Extract<Command, { op: "signal" }>): Reply<"signal"> {
  assertAgent(cmd.pid);
  const t = nowMs();
  process.kill(cmd.pid, cmd.signal);
  if (cmd.signal === "SIGSTOP") stopped.add(cmd.pid);
  if (cmd.signal === "SIGCONT" || cmd.signal === "SIGKILL") stopped.delete(cmd.pid);
  return { t };
}

export async function firewallOp(
  cmd: Extract<Command, { op: "firewall" }>,
): Promise<Reply<"firewall">> {
  if (cmd.action === "check") firewall.check(cmd.table, cmd.port);
  else if (cmd.action === "drop") await firewall.drop(cmd.table, cmd.port, cmd.peers, cmd.ttlS);
  else await firewall.lift();
  return { t: nowMs() };
}

/** Undo what this agent did to its host: lift its rules, end the agents it froze. */
export function cleanUpHost(): void {
  firewall.liftNow();
  for (const pid of stopped) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  stopped.clear();
}

/** Only another tcpdrop agent may be signalled, never an arbitrary process of the host. */
function assertAgent(pid: number): void {
  let cmdline = "";
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    throw new Error(`no process ${pid} on this host`);
  }
  const argv = cmdline.split("\0");
  if (pid === process.pid || !argv.includes("--host") || !/agent/.test(cmdline)) {
    throw new Error(`process ${pid} is not a tcpdrop agent; refusing to signal it`);
  }
}
