// Can this process build a lab? It needs root (an ordinary user's tcpdrop has re-executed itself
// as root inside a user namespace by now, see userns.ts) and the iproute2 and util-linux tools.
// Also the probes `tcpdrop doctor` runs in a throwaway network namespace: veth, routes, sysctls,
// the capture's packet socket.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { SetupError } from "../errors.js";
import { fromRoot } from "../package-root.js";
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

/**
 * Open the capture's socket (src/wire/packet-socket.ts: AF_PACKET, SOCK_DGRAM, ETH_P_ALL) in a
 * throwaway namespace, through koffi as the capture does: a kernel without CONFIG_PACKET, or a
 * security module that denies packet sockets, leaves runs without packets.
 */
export function probePacketSocket(): ProbeResult {
  const koffi = createRequire(fromRoot("package.json")).resolve("koffi");
  const script = [
    `const koffi = require(${JSON.stringify(koffi)});`,
    'const socket = koffi.load("libc.so.6").func("int socket(int, int, int)");',
    "if (socket(17, 2, 0x0300) >= 0) process.exit(0);",
    "const errno = koffi.errno();",
    "const name = Object.keys(koffi.os.errno).find((k) => koffi.os.errno[k] === errno);",
    'console.error("socket(AF_PACKET) failed: " + (name ?? errno));',
    "process.exit(1);",
  ].join("\n");
  return inFreshNetns([process.execPath, "-e", script]);
}
