// tcpdrop doctor: can tcpdrop run here, and if not, why and how to fix it. Checks the kernel
// (namespaces, veth, blackhole routes, HZ), the tools, the privileges (root, or a user
// namespace), and the sysctls a fresh lab namespace starts with, then says which built-in
// scenarios can run. Probes run in throwaway namespaces; nothing on the machine is changed.
// Exit code 0 when a run can go ahead, 2 when something blocks it.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { AF_PACKET, SOCK_DGRAM } from "../agent/libc.js";
import { STAND_IN_TOOLS } from "../faults/fault.js";
import { FAULTS } from "../faults/index.js";
import { MIDDLEBOX_TOOLS } from "../lab/middlebox.js";
import {
  inFreshNetns,
  isRoot,
  onPath,
  type ProbeResult,
  probeLinks,
  probeSysctls,
  TOOLS,
  toolFix,
} from "../lab/privileges.js";
import { probeUserns, readUsernsSysctls, usernsCause } from "../lab/userns.js";
import { fromRoot } from "../package-root.js";
import { kernelHz, kernelRelease } from "../plan/kernel.js";
import { freshBuiltIns } from "../scenario/catalogue.js";
import { ETH_P_ALL_NET } from "../wire/packet-socket.js";

/** ok; fail: blocks a run; warn: worth knowing, blocks nothing; skip: could not be tested. */
export type Status = "ok" | "fail" | "warn" | "skip";

export interface Check {
  id: string;
  title: string;
  status: Status;
  detail: string;
  fix?: string;
}

export interface ScenarioCheck {
  name: string;
  ok: boolean;
  why?: string;
}

/** The checks every lab needs, and what a scenario's fault needs beyond them. */
const LAB_NEEDS = ["netns", "veth", "ip", "unshare", "nsenter", "privileges", "sysctls"];
const FAULT_NEEDS: Record<string, string[]> = {
  crash: ["blackhole"],
  "crash-reboot": ["blackhole"],
  shutdown: ["blackhole"],
};
const MARK: Record<Status, string> = { ok: "✔", fail: "✘", warn: "!", skip: "–" };

/** Which scenarios can run, given the checks: each needs all of its checks to be ok or warn. */
export function scenarioChecks(
  checks: Check[],
  scenarios: { name: string; fault: string }[],
): ScenarioCheck[] {
  return scenarios.map(({ name, fault }) => {
    const tools = FAULTS.find((f) => f.name === fault)?.tools ?? [];
    const needs = [...LAB_NEEDS, ...(FAULT_NEEDS[fault] ?? []), ...tools.map((t) => t.name)];
    const mine = checks.filter((c) => needs.includes(c.id));
    const failed = mine.filter((c) => c.status === "fail").map((c) => c.title);
    const untested = mine.filter((c) => c.status === "skip").map((c) => `${c.title} (untested)`);
    const missing = failed.length > 0 ? failed : untested;
    return missing.length === 0
      ? { name, ok: true }
      : { name, ok: false, why: `needs ${missing.join(", ")}` };
  });
}

export function exitCodeOf(checks: Check[]): number {
  return checks.some((c) => c.status === "fail") ? 2 : 0;
}

export function formatDoctor(checks: Check[], scenarios: ScenarioCheck[]): string {
  const width = Math.max(
    ...checks.map((c) => c.title.length),
    ...scenarios.map((s) => s.name.length),
  );
  const lines = ["tcpdrop doctor"];
  for (const c of checks) {
    lines.push(`${MARK[c.status]} ${c.title.padEnd(width)}  ${c.detail}`);
    if (c.fix && c.status !== "ok") lines.push(`  ${" ".repeat(width)}  fix: ${c.fix}`);
  }
  lines.push("", "scenarios");
  for (const s of scenarios)
    lines.push(`${s.ok ? MARK.ok : MARK.fail} ${s.name.padEnd(width)}  ${s.why ?? "can run"}`);
  const failed = checks.filter((c) => c.status === "fail").map((c) => c.title);
  lines.push(
    "",
    failed.length === 0
      ? `tcpdrop can run here (${scenarios.filter((s) => s.ok).length} of ${scenarios.length} scenarios)`
      : `tcpdrop cannot run here: ${failed.join(", ")} failed`,
  );
  return `${lines.join("\n")}\n`;
}

const check = (id: string, title: string, status: Status, detail: string, fix?: string): Check =>
  fix === undefined ? { id, title, status, detail } : { id, title, status, detail, fix };

/** Run every check on this machine. */
export function gatherChecks(): Check[] {
  const root = isRoot();
  const hz = kernelHz();
  const release = kernelRelease();
  const checks: Check[] = [
    hz.known
      ? check("kernel", "kernel", "ok", `${release}, CONFIG_HZ=${hz.hz}`)
      : check(
          "kernel",
          "kernel",
          "warn",
          `${release}, CONFIG_HZ unknown: predictions assume ${hz.hz}`,
          "make /proc/config.gz or /boot/config-$(uname -r) readable",
        ),
    existsSync("/proc/self/ns/net")
      ? check("netns", "network namespaces", "ok", "/proc/self/ns/net")
      : check(
          "netns",
          "network namespaces",
          "fail",
          "/proc/self/ns/net is missing",
          "use a kernel built with CONFIG_NET_NS=y",
        ),
    ...[...TOOLS, ...STAND_IN_TOOLS, ...MIDDLEBOX_TOOLS].map((t) =>
      onPath(t.name)
        ? check(t.name, t.name, "ok", `on PATH (${t.pkg})`)
        : check(t.name, t.name, "fail", "not on PATH", toolFix(t)),
    ),
    // Remote mode: the server host of a host fault runs nft (the lab does not need it).
    onPath("nft")
      ? check("nft", "nft (remote mode)", "ok", "on PATH (nftables): can serve remote host faults")
      : check(
          "nft",
          "nft (remote mode)",
          "warn",
          "not on PATH: this host cannot be the server of a remote host fault (the lab does not need it)",
          "install nftables (e.g. apt-get install nftables)",
        ),
    // Only --client-cmd/--server-cmd need it: missing, they are refused (exit 2), the rest runs.
    onPath("strace")
      ? check("strace", "strace", "ok", "on PATH (strace): --client-cmd/--server-cmd can trace")
      : check(
          "strace",
          "strace",
          "warn",
          "not on PATH: --client-cmd/--server-cmd cannot run",
          "apt-get install strace",
        ),
  ];
  const hasUnshare = onPath("unshare");
  const usernsError = hasUnshare ? probeUserns() : '"unshare" is not on PATH';
  const sysctls = readUsernsSysctls();
  const cause = usernsCause(sysctls, existsSync("/proc/self/ns/user"), usernsError ?? "");
  const uid = `uid ${process.getuid?.()}`;
  if (usernsError === null) {
    const max = sysctls["user.max_user_namespaces"];
    const detail = `unshare --user --map-root-user --net works${max ? ` (user.max_user_namespaces=${max})` : ""}`;
    checks.push(check("userns", "user namespaces", "ok", detail));
  } else {
    const detail = `${cause.reason}${root ? " (not needed as root)" : ""}`;
    checks.push(check("userns", "user namespaces", root ? "warn" : "fail", detail, cause.fix));
  }
  checks.push(
    root
      ? check("privileges", "privileges", "ok", "root")
      : usernsError === null
        ? check("privileges", "privileges", "ok", `${uid}: runs as root in a user namespace`)
        : check("privileges", "privileges", "fail", `${uid}, and no user namespace`, cause.fix),
  );
  const probes = [
    ["veth", "veth pairs"],
    ["blackhole", "blackhole routes"],
    ["sysctls", "lab sysctls"],
    ["packets", "packet capture"],
  ] as const;
  if (!(hasUnshare && onPath("ip") && (root || usernsError === null))) {
    const why = "not tested: needs ip, unshare, and root or a user namespace";
    return [...checks, ...probes.map(([id, title]) => check(id, title, "skip", why))];
  }
  const links = probeLinks();
  const lab = probeSysctls();
  const packets = probePacketSocket();
  const values = Object.entries(lab.values).map(([k, v]) => `${k.replace("net.ipv4.", "")}=${v}`);
  return [
    ...checks,
    probeCheck(probes[0], links.veth, "created a veth pair in a throwaway namespace"),
    probeCheck(probes[1], links.blackhole, "added a blackhole route in a throwaway namespace"),
    probeCheck(probes[2], lab, `writable; a fresh namespace has ${values.join(" ")}`),
    packets.ok
      ? check(...probes[3], "ok", "opened a packet socket in a throwaway namespace")
      : check(
          ...probes[3],
          "warn",
          `${packets.error}: runs show no packets; --pcap and --diagram cannot write`,
          "use a kernel with CONFIG_PACKET, and let tcpdrop open AF_PACKET sockets",
        ),
  ];
}

/**
 * Open the capture's socket (src/wire/packet-socket.ts) in a throwaway namespace, through koffi
 * as the capture does: a kernel without CONFIG_PACKET, or a security module that denies packet
 * sockets, leaves runs without packets.
 */
function probePacketSocket(): ProbeResult {
  const koffi = createRequire(fromRoot("package.json")).resolve("koffi");
  const script = [
    `const koffi = require(${JSON.stringify(koffi)});`,
    'const socket = koffi.load("libc.so.6").func("int socket(int, int, int)");',
    `if (socket(${AF_PACKET}, ${SOCK_DGRAM}, ${ETH_P_ALL_NET}) >= 0) process.exit(0);`,
    "const errno = koffi.errno();",
    "const name = Object.keys(koffi.os.errno).find((k) => koffi.os.errno[k] === errno);",
    'console.error("socket(AF_PACKET) failed: " + (name ?? errno));',
    "process.exit(1);",
  ].join("\n");
  return inFreshNetns([process.execPath, "-e", script]);
}

function probeCheck([id, title]: readonly [string, string], r: ProbeResult, ok: string): Check {
  if (r.ok) return check(id, title, "ok", ok);
  if (r.error === "not tested") return check(id, title, "skip", "not tested");
  const fix = /Unknown device type/i.test(r.error)
    ? "load the veth module (modprobe veth), or use a kernel with CONFIG_VETH"
    : /not permitted|denied/i.test(r.error)
      ? "tcpdrop needs CAP_SYS_ADMIN and CAP_NET_ADMIN: run it on the host, or in a container with --privileged"
      : "see the error above";
  return check(id, title, "fail", r.error, fix);
}

export async function doctorCommand(opts: {
  json?: boolean;
}): Promise<{ output: string; exitCode: number }> {
  const checks = gatherChecks();
  const scenarios = scenarioChecks(checks, await freshBuiltIns());
  const exitCode = exitCodeOf(checks);
  const output = opts.json
    ? `${JSON.stringify({ schemaVersion: 1, ok: exitCode === 0, checks, scenarios }, null, 2)}\n`
    : formatDoctor(checks, scenarios);
  return { output, exitCode };
}
