// packetdrill, the reference the peer-close target is timed against: where its binary is, the
// command that runs bench/peer-close.pkt with it (in a network namespace of its own, with
// documentation addresses), and its last recorded figures (bench/packetdrill-recorded.json),
// which the bench shows when packetdrill is not on this machine. Nothing of packetdrill is part
// of tcpdrop: build it outside the checkout (BENCHMARKS.md says how).
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { ROOT, SOURCE_ROOT } from "./lib.mjs";

/** Where the bench looks when PACKETDRILL is not set: beside the checkout, then on PATH. */
export const BESIDE_CHECKOUT = "../packetdrill-src/gtests/net/packetdrill/packetdrill";
export const RECORDED = `${SOURCE_ROOT}bench/packetdrill-recorded.json`;
const SCRIPT = `${ROOT}bench/peer-close.pkt`;

/** { path, how } of the packetdrill to run, or { missing: why }. */
export function findPacketdrill(env = process.env) {
  if (env.PACKETDRILL) {
    return existsSync(env.PACKETDRILL)
      ? { path: env.PACKETDRILL, how: "PACKETDRILL" }
      : { missing: `PACKETDRILL=${env.PACKETDRILL} does not exist` };
  }
  const beside = `${SOURCE_ROOT}${BESIDE_CHECKOUT}`;
  if (existsSync(beside)) return { path: beside, how: `beside the checkout (${BESIDE_CHECKOUT})` };
  const which = spawnSync("sh", ["-c", "command -v packetdrill"], { encoding: "utf8" });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath) return { path: onPath, how: "on PATH" };
  return { missing: `no PACKETDRILL, nothing at ${BESIDE_CHECKOUT} and none on PATH` };
}

/**
 * The check as one command: packetdrill in a fresh network namespace (it configures a tun device
 * and routes where it runs, so never in the machine's own), with a 100 ms tolerance, the window
 * tcpdrop's "predicted" verdict allows.
 */
export function packetdrillCommand(bin) {
  return [
    "unshare",
    [
      "--net",
      "--",
      bin,
      "--tolerance_usecs=100000",
      "--local_ip=198.51.100.2",
      "--remote_ip=203.0.113.2",
      "--gateway_ip=198.51.100.1",
      "--netmask_ip=255.255.255.0",
      SCRIPT,
    ],
  ];
}

/** The commit packetdrill was built from, when its binary sits in a git work tree. */
export function packetdrillVersion(bin) {
  const git = spawnSync("git", ["-C", dirname(bin), "log", "-1", "--format=%h %cs"], {
    encoding: "utf8",
  });
  return git.status === 0 ? git.stdout.trim() : null;
}

export function readRecorded() {
  try {
    return JSON.parse(readFileSync(RECORDED, "utf8"));
  } catch {
    return null;
  }
}

export function writeRecorded(figures) {
  writeFileSync(RECORDED, `${JSON.stringify(figures, null, 2)}\n`);
}
