// Rootless runs. An ordinary user's tcpdrop re-executes itself inside a new user namespace in
// which it is root: `unshare --user --map-root-user --net -- node tcpdrop ...`. The extra --net
// keeps even that outer process off the machine's network; the lab's own namespaces are then
// built inside it exactly as under root. The child dies with its parent (PR_SET_PDEATHSIG),
// and where the kernel forbids user namespaces this says why and how to allow them.
import { existsSync, readFileSync } from "node:fs";
import { constants } from "node:os";
import { SetupError } from "../errors.js";
import { childProcess } from "./child-process.js";

/** Set in the re-executed child: "1" means "already inside tcpdrop's user namespace". */
export const USERNS_ENV = "TCPDROP_IN_USERNS";
const PARENT_ENV = "TCPDROP_USERNS_PARENT";
export const UNSHARE_USERNS = ["--user", "--map-root-user", "--net"];
/** The subcommands that build a lab, and so need root or a user namespace. */
export const LAB_COMMANDS = new Set(["run", "compare"]);
const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** The sysctls that can forbid unprivileged user namespaces; absent files are left out. */
export const USERNS_SYSCTLS = [
  "kernel.unprivileged_userns_clone",
  "user.max_user_namespaces",
  "user.max_net_namespaces",
  "kernel.apparmor_restrict_unprivileged_userns",
];

export function readUsernsSysctls(): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of USERNS_SYSCTLS) {
    try {
      values[key] = readFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, "utf8").trim();
    } catch {
      // not on this kernel
    }
  }
  return values;
}

export interface UsernsCause {
  reason: string;
  fix: string;
}

/** Why user namespaces fail here, from the kernel's settings (pure; unshare's error last). */
export function usernsCause(
  sysctls: Record<string, string>,
  hasUserNs: boolean,
  unshareError = "",
): UsernsCause {
  const set = (key: string, value: string) => `sudo sysctl -w ${key}=${value}`;
  if (!hasUserNs)
    return {
      reason: "this kernel has no user namespaces (/proc/self/ns/user is missing)",
      fix: "run tcpdrop as root, or use a kernel built with CONFIG_USER_NS=y",
    };
  const off = (key: string, bad: string, good: string, what: string) =>
    sysctls[key] === bad ? { reason: `${what} (${key}=${bad})`, fix: set(key, good) } : null;
  const found =
    off(
      "kernel.unprivileged_userns_clone",
      "0",
      "1",
      "user namespaces are disabled for ordinary users",
    ) ??
    off("user.max_user_namespaces", "0", "15000", "user namespaces are disabled") ??
    off("user.max_net_namespaces", "0", "15000", "network namespaces are disabled") ??
    off(
      "kernel.apparmor_restrict_unprivileged_userns",
      "1",
      "0",
      "AppArmor restricts unprivileged user namespaces",
    );
  if (found) return { reason: found.reason, fix: `run tcpdrop as root, or ${found.fix}` };
  const said = unshareError.trim().split("\n").pop() || "no message";
  return {
    reason: `unshare --user --map-root-user --net failed (${said}); a container's seccomp profile or a security module may forbid user namespaces`,
    fix: "run tcpdrop as root, or in a container that allows unshare (e.g. --privileged)",
  };
}

/** Try to enter a throwaway user + network namespace; null when that works, else the error. */
export function probeUserns(): string | null {
  const r = childProcess().spawnSync("unshare", [...UNSHARE_USERNS, "--", "true"], {
    encoding: "utf8",
    timeout: 5000,
  });
  if (r.error) return r.error.message;
  return r.status === 0 ? null : r.stderr || `exit ${r.status}`;
}

/** One line for the user when user namespaces are not available, or null when they are. */
export function usernsBlocker(): string | null {
  const error = probeUserns();
  if (error === null) return null;
  if (/ENOENT/.test(error))
    return '"unshare" is not on PATH: install util-linux (e.g. apt-get install util-linux)';
  const cause = usernsCause(readUsernsSysctls(), existsSync("/proc/self/ns/user"), error);
  return `not root, and no user namespace to run in: ${cause.reason}. Fix: ${cause.fix}`;
}

/** Does this command line build a lab? (its subcommand is run/compare, and it is not --help) */
export function needsLab(args: string[]): boolean {
  const command = args.find((a) => !a.startsWith("-"));
  const help = args.some((a) => a === "-h" || a === "--help");
  // Remote mode builds no lab: it must run in the machine's own namespace (ssh, kubectl).
  const remote = args.some((a) => /^--(client|server)-via(=|$)/.test(a));
  return command !== undefined && LAB_COMMANDS.has(command) && !help && !remote;
}

/**
 * As an ordinary user running a lab command: run this same command line again as root inside
 * a new user namespace, with the same stdio, forwarding SIGINT/SIGTERM/SIGHUP to it; resolves
 * with its exit code. Returns null when no re-exec is needed (root, already inside, or a
 * command without a lab). Inside the child it first binds the child's life to its parent's.
 * Throws SetupError, with the reason and the fix, when user namespaces are unavailable.
 */
export async function maybeReexecInUserns(
  args: string[] = process.argv.slice(2),
): Promise<number | null> {
  if (process.env[USERNS_ENV] === "1") {
    await dieWithParent();
    return null;
  }
  if (process.getuid?.() === 0 || !needsLab(args)) return null;
  const blocker = usernsBlocker();
  if (blocker) throw new SetupError(blocker);
  const nodeFlags = process.execArgv.filter((flag) => !flag.startsWith("--inspect"));
  const command = [process.execPath, ...nodeFlags, process.argv[1], ...args];
  const child = childProcess().spawn("unshare", [...UNSHARE_USERNS, "--", ...command], {
    stdio: "inherit",
    env: { ...process.env, [USERNS_ENV]: "1", [PARENT_ENV]: String(process.pid) },
  });
  const forward = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(child.pid, signal);
    } catch {
      // it has just exited
    }
  };
  for (const signal of FORWARDED) process.on(signal, forward);
  return new Promise((resolve, reject) => {
    const done = () => {
      for (const signal of FORWARDED) process.off(signal, forward);
    };
    child.on("error", (err) => {
      done();
      reject(new SetupError(`cannot start tcpdrop in a user namespace: ${err.message}`));
    });
    child.on("exit", (code, signal) => {
      done();
      resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
    });
  });
}

/**
 * In the re-executed child: die (SIGKILL) when the parent tcpdrop dies, even by SIGKILL, so the
 * lab's agents (which die with this process) go too. Exits at once if the parent is gone already.
 */
export async function dieWithParent(): Promise<void> {
  const parent = Number(process.env[PARENT_ENV] ?? 0);
  if (!parent) return;
  const { PR_SET_PDEATHSIG, SIGKILL, sys } = await import("../agent/libc.js");
  sys.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (sys.getppid() !== parent) process.exit(1);
}
