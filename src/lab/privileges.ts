// Can this process build a lab? It needs root (an ordinary user's tcpdrop has re-executed itself
// as root inside a user namespace by now, see userns.ts) and the iproute2 and util-linux tools.
// Also the probes `tcpdrop doctor` runs in a throwaway network namespace: veth, routes, sysctls.
import { existsSync } from "node:fs";
import { SetupError } from "../errors.js";
import { childProcess } from "./child-process.js";
import { onPath } from "./on-path.js";
import { REPORTED_SYSCTLS } from "./sysctl.js";
import { UNSHARE_USERNS, usernsBlocker } from "./userns.js";

export { onPath };

export const TOOLS = [
  { name: "ip", pkg: "iproute2" },
  // tc gives the lab hosts a transmit queue at scale (nic-queue.ts).
  { name: "tc", pkg: "iproute2" },
  { name: "unshare", pkg: "util-linux" },
  { name: "nsenter", pkg: "util-linux" },
];

/** The lab's TCP sysctls this kernel has, as a fresh network namespace starts with them. */
const LAB_SYSCTLS = REPORTED_SYSCTLS.filter((key) =>
  existsSync(`/proc/sys/${key.replaceAll(".", "/")}`),
);

export const isRoot = (): boolean => process.getuid?.() === 0;

export function toolFix(tool: { name: string; pkg: string }): string {
  return `install ${tool.pkg} (e.g. apt-get install ${tool.pkg})`;
}

export function checkPrivileges(): void {
  if (!isRoot()) {
    throw new SetupError(
      usernsBlocker() ??
        "tcpdrop builds its lab as root: run it as root, or as an ordinary user without TCPDROP_IN_USERNS set so that it enters a user namespace",
    );
  }
  for (const tool of TOOLS) {
    if (!onPath(tool.name)) throw new SetupError(`"${tool.name}" is not on PATH: ${toolFix(tool)}`);
  }
}

export interface ProbeResult {
  ok: boolean;
  status: number | null;
  stdout: string;
  /** The last line unshare or the command wrote on stderr, when it failed. */
  error: string;
}

/**
 * Run a command in a throwaway network namespace that dies with it: `unshare --net` as root,
 * inside a throwaway user namespace too as an ordinary user. Nothing outside it is touched.
 */
export function inFreshNetns(command: string[], input?: string): ProbeResult {
  const unshare = isRoot() ? ["--net"] : UNSHARE_USERNS;
  const r = childProcess().spawnSync("unshare", [...unshare, "--", ...command], {
    input,
    encoding: "utf8",
    timeout: 5000,
    env: { ...process.env, PATH: `${process.env.PATH ?? ""}:/usr/sbin:/sbin` },
  });
  const lastLine = (r.stderr ?? "").trim().split("\n").pop() ?? "";
  const error = r.error?.message ?? (lastLine || `exit ${r.status}`);
  const ok = r.status === 0;
  return { ok, status: r.status, stdout: r.stdout ?? "", error: ok ? "" : error };
}

/** Create a veth pair and a blackhole route (the lab's fault) in a throwaway namespace. */
export function probeLinks(): { veth: ProbeResult; blackhole: ProbeResult } {
  const r = inFreshNetns([
    "sh",
    "-c",
    "ip link add tcpdrop0 type veth peer name tcpdrop1 || exit 11\n" +
      "ip route add blackhole 203.0.113.2/32 || exit 12",
  ]);
  const untested = { ok: false, status: null, stdout: "", error: "not tested" };
  if (r.status === 12) return { veth: { ...r, ok: true, error: "" }, blackhole: r };
  return { veth: r, blackhole: r.ok ? r : untested };
}

/**
 * The lab's sysctls as a fresh network namespace has them, after checking that a sysctl can be
 * written there (the lab sets ip_forward in the router, tcp_retries2 in the client).
 */
export function probeSysctls(): ProbeResult & { values: Record<string, string> } {
  const path = (key: string) => `/proc/sys/${key.replaceAll(".", "/")}`;
  const files = LAB_SYSCTLS.map(path).join(" ");
  const script = `echo 1 > ${path("net.ipv4.ip_forward")} && cat ${files}`;
  const r = inFreshNetns(["sh", "-c", script]);
  const lines = r.stdout.trim().split("\n");
  const values: Record<string, string> = {};
  if (r.ok) for (const [i, key] of LAB_SYSCTLS.entries()) values[key] = lines[i] ?? "?";
  return { ...r, values };
}
