// Running the built CLI the way a user or a CI script does, and snapshotting the machine's
// own network state so that a test can prove a run left nothing behind.
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Report } from "../../src/types.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const isRoot = process.getuid?.() === 0;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function tcpdrop(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/tcpdrop.js", ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tcpdrop ${args.join(" ")} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run with --json and return the parsed report (and the exit code). */
export async function runJson(
  args: string[],
): Promise<{ code: number | null; report: Report; stderr: string }> {
  const res = await tcpdrop(["run", ...args, "--json"]);
  if (res.code === 2) throw new Error(`tcpdrop failed: ${res.stderr}`);
  return { code: res.code, report: JSON.parse(res.stdout) as Report, stderr: res.stderr };
}

export function connection(report: Report, id: string, run = 0) {
  const conn = report.runs[run].connections.find((c) => c.id === id);
  if (!conn) throw new Error(`no connection ${id}`);
  return conn;
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8" });

/** The machine's own network configuration and any lab process still running. */
export function hostState(): Record<string, string> {
  return {
    links: sh("ip", ["-o", "link", "show"]).replace(/\s+link\/\S+ \S+( brd \S+)?/g, ""),
    addresses: sh("ip", ["-o", "addr", "show"]),
    routes: sh("ip", ["route", "show", "table", "all"]),
    routes6: sh("ip", ["-6", "route", "show", "table", "all"]),
    netns: sh("ip", ["netns", "list"]),
    ipForward: sh("cat", ["/proc/sys/net/ipv4/ip_forward"]),
    retries2: sh("cat", ["/proc/sys/net/ipv4/tcp_retries2"]),
    agents: sh("ps", ["-eo", "pid,args"])
      .split("\n")
      // This checkout's agents only: other checkouts on the machine may be running labs.
      .filter(
        (l) =>
          l.includes(`${ROOT}dist/bundle/agent/main.cjs`) ||
          l.includes(`${ROOT}dist/agent/main.js`),
      )
      .join("\n"),
  };
}
