// Watching a tcpdrop process from the outside: its descendants (by PID, from /proc, never by
// name), the network namespaces they and tcpdrop hold (tcpdrop holds its lab hosts by
// descriptor, and makes their sockets itself), and the machine's own state, so that a test can
// prove that a run, however it ends, leaves nothing behind.
//
// Every tcpdrop started here carries a unique marker in its environment. Every process it
// starts (agents, nsenter, ip) inherits it, so a process that escaped the tree (reparented to
// PID 1 after its parent died) is still found as "started by this tcpdrop".
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { hostState, ROOT } from "./helpers.js";

export interface Proc {
  pid: number;
  ppid: number;
  /** Field 22 of /proc/<pid>/stat: with the PID, identifies a process across PID reuse. */
  start: string;
  state: string;
  argv: string[];
}

const MACHINE_NETNS = readlinkSync("/proc/self/ns/net");
export const machineNetns = () => MACHINE_NETNS;

function pids(): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

export function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm (field 2) may hold spaces and parentheses: split after the last ")".
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (argv.at(-1) === "") argv.pop();
    return { pid, ppid: Number(rest[1]), start: rest[19], state: rest[0], argv };
  } catch {
    return null; // gone
  }
}

export function allProcs(): Proc[] {
  return pids().flatMap((pid) => readProc(pid) ?? []);
}

/** The processes below `root` (not `root` itself), from a fresh scan of /proc. */
export function descendants(root: number, procs: Proc[] = allProcs()): Proc[] {
  const byParent = new Map<number, Proc[]>();
  for (const p of procs) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child.pid);
    }
  }
  return found;
}

/** A lab agent (after unshare exec'd node, so it is inside its own namespace). */
export function isAgent(p: Proc, host?: string): boolean {
  const i = p.argv.indexOf("--host");
  return (
    i >= 0 &&
    p.argv.some((a) => /agent\/main\.c?js$/.test(a)) &&
    p.argv[0] !== "unshare" &&
    (host === undefined || p.argv[i + 1] === host)
  );
}

export const hostOf = (p: Proc) => p.argv[p.argv.indexOf("--host") + 1];

export function netnsOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/net`);
  } catch {
    return null;
  }
}

/** Network namespaces a process holds by descriptor, each with a path to it (ns -> path). */
export function heldByFd(pid: number): Map<string, string> {
  const held = new Map<string, string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const path = `/proc/${pid}/fd/${fd}`;
      try {
        const ns = readlinkSync(path);
        if (ns.startsWith("net:[") && !held.has(ns)) held.set(ns, path);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone
  }
  return held;
}

/** Processes whose environment carries the marker (zombies have none and are not listed). */
export function markedProcesses(marker: string): Proc[] {
  const needle = `TCPDROP_E2E_MARK=${marker}`;
  return pids().flatMap((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      if (!env.includes(needle)) return [];
      return readProc(pid) ?? [];
    } catch {
      return [];
    }
  });
}

/**
 * Every network namespace something on the machine still holds, with who holds it: a
 * process's (or one of its threads') namespace, or an open file descriptor on a namespace.
 */
export function netnsInUse(): Map<string, number[]> {
  const held = new Map<string, number[]>();
  const add = (ns: string | null, pid: number) => {
    if (ns?.startsWith("net:[")) held.set(ns, [...(held.get(ns) ?? []), pid]);
  };
  for (const pid of pids()) {
    try {
      for (const tid of readdirSync(`/proc/${pid}/task`)) add(netnsOf(Number(tid)), pid);
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          add(readlinkSync(`/proc/${pid}/fd/${fd}`), pid);
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      // gone
    }
  }
  return held;
}

const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: "utf8" });
const sysctl = (key: string) =>
  readFileSync(`/proc/sys/${key.replaceAll(".", "/")}`, "utf8").trim();

export const MACHINE_SYSCTLS = [
  "net.ipv4.ip_forward",
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
  "net.ipv6.conf.all.forwarding",
];

const LAB_NET = /\b(198\.51\.100|203\.0\.113)\.\d+/;

/**
 * The machine's own network configuration and mounts. hostState() without its "agents" line
 * (a ps listing by name, which would also see labs of other tcpdrops running on the machine:
 * processes are checked by marker and PID instead), plus mounts, policy rules, neighbours in
 * the lab's subnets and the sysctls tcpdrop changes in its namespaces.
 */
export function machineState(): Record<string, string> {
  const { agents: _byName, ...state } = hostState();
  return {
    ...state,
    mounts: readFileSync("/proc/self/mountinfo", "utf8"),
    rules: sh("ip", ["rule", "show"]),
    rules6: sh("ip", ["-6", "rule", "show"]),
    labNeighbours: sh("ip", ["neigh", "show"])
      .split("\n")
      .filter((l) => LAB_NET.test(l))
      .join("\n"),
    netnsIds: sh("ip", ["netns", "list-id"]),
    ...Object.fromEntries(MACHINE_SYSCTLS.map((k) => [k, sysctl(k)])),
  };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** ms from spawn to exit */
  ms: number;
}

/**
 * A tcpdrop run under watch: every descendant it ever had (scanned every `pollMs` while it
 * runs) and every network namespace they held.
 */
export class Watched {
  readonly marker = randomUUID();
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  readonly started = performance.now();
  readonly exit: Promise<Exit>;
  /** Every descendant seen, by "pid/start". */
  readonly seen = new Map<string, Proc>();
  /** Every network namespace a descendant was seen in, other than the machine's. */
  readonly labNetns = new Set<string>();
  /** Exited processes of this run that init had not yet reaped at the last settle(). */
  zombies: string[] = [];
  private timer: NodeJS.Timeout;
  private exited = false;

  constructor(args: string[], pollMs = 10) {
    this.child = spawn(process.execPath, ["bin/tcpdrop.js", ...args], {
      cwd: ROOT,
      env: { ...process.env, TCPDROP_E2E_MARK: this.marker, NO_COLOR: "1" },
    });
    if (this.child.pid === undefined) throw new Error("cannot start tcpdrop");
    this.pid = this.child.pid;
    let stdout = "";
    let stderr = "";
    this.child.stdout.on("data", (d) => {
      stdout += d;
    });
    this.child.stderr.on("data", (d) => {
      stderr += d;
    });
    this.exit = new Promise((resolve) => {
      this.child.on("exit", (code, signal) => {
        this.exited = true;
        clearInterval(this.timer);
        // let the pipes drain before reporting what was written
        setImmediate(() =>
          resolve({ code, signal, stdout, stderr, ms: performance.now() - this.started }),
        );
      });
    });
    this.timer = setInterval(() => this.scan(), pollMs);
    this.scan();
  }

  /** Scan the tree now; returns the live descendants. */
  scan(): Proc[] {
    if (this.exited) return [];
    const current = descendants(this.pid);
    for (const p of current) {
      this.seen.set(`${p.pid}/${p.start}`, p);
      const ns = netnsOf(p.pid);
      if (ns && ns !== MACHINE_NETNS) this.labNetns.add(ns);
    }
    for (const ns of heldByFd(this.pid).keys()) if (ns !== MACHINE_NETNS) this.labNetns.add(ns);
    return current;
  }

  /**
   * The lab namespaces the run holds right now (its processes are in them, or tcpdrop holds
   * them by descriptor), each with a path to enter it by.
   */
  labNamespaces(): Map<string, string> {
    const now = new Map<string, string>();
    for (const p of this.scan()) {
      const ns = netnsOf(p.pid);
      if (ns && ns !== MACHINE_NETNS && !now.has(ns)) now.set(ns, `/proc/${p.pid}/ns/net`);
    }
    for (const [ns, path] of heldByFd(this.pid)) {
      if (ns !== MACHINE_NETNS && !now.has(ns)) now.set(ns, path);
    }
    return now;
  }

  /** The lab namespaces the run holds right now. */
  currentNetns(): Set<string> {
    return new Set(this.labNamespaces().keys());
  }

  agents(host?: string): Proc[] {
    return this.scan().filter((p) => isAgent(p, host));
  }

  elapsed(): number {
    return performance.now() - this.started;
  }

  signal(sig: NodeJS.Signals): void {
    if (!this.exited) this.child.kill(sig);
  }

  /** Resolves when `cond` holds (polled every 5 ms) or the tool exits; true if it held. */
  async until(cond: () => boolean, timeoutMs = 10_000): Promise<boolean> {
    const end = performance.now() + timeoutMs;
    while (!this.exited && performance.now() < end) {
      if (cond()) return true;
      await sleep(5);
    }
    return !this.exited && cond();
  }

  /**
   * What this run left behind, right now: processes it started that still run (or are still
   * a zombie of a process it started), and network namespaces they held that something still
   * holds. A zombie whose parent is outside the run (init, once the tool is gone) has exited
   * and released everything; it is listed in `zombies` (init reaps it when it pleases).
   */
  leftovers(): { processes: string[]; netns: string[]; zombies: string[] } {
    const survivors = new Map<string, Proc>();
    for (const p of this.seen.values()) {
      const now = readProc(p.pid);
      if (now?.start === p.start) survivors.set(`${p.pid}/${p.start}`, { ...now, argv: p.argv });
    }
    for (const p of markedProcesses(this.marker)) survivors.set(`${p.pid}/${p.start}`, p);
    const ours = new Set([this.pid, ...[...survivors.values()].map((p) => p.pid)]);
    const describe = (p: Proc) => `${p.pid} (${p.state}, ppid ${p.ppid}): ${p.argv.join(" ")}`;
    const live = [...survivors.values()].filter((p) => p.state !== "Z" || ours.has(p.ppid));
    const zombies = [...survivors.values()].filter((p) => !live.includes(p));
    const livePids = new Set(live.map((p) => p.pid));
    // A namespace outlives its processes only while something holds it: a process (or one of
    // its threads, or an open fd), or a mount (machineState() compares the mounts). So a
    // namespace of this run is left over when one of its processes holds it. (Not "any
    // namespace the run had": the kernel reuses a freed namespace's inode number, and another
    // tcpdrop on the machine may get it.)
    const netns = [...netnsInUse()]
      .filter(([ns, holders]) => ns !== MACHINE_NETNS && holders.some((h) => livePids.has(h)))
      .map(([ns, holders]) => {
        const who = [...new Set(holders)].map((h) => {
          const p = readProc(h);
          return p ? describe(p) : String(h);
        });
        return `${ns} held by ${who.join("; ")}`;
      });
    return { processes: live.map(describe), netns, zombies: zombies.map(describe) };
  }

  /** Poll for up to `ms` until nothing is left; returns what is still left then. */
  async settle(ms = 1000): Promise<{ processes: string[]; netns: string[] }> {
    const end = performance.now() + ms;
    for (;;) {
      const { zombies, ...left } = this.leftovers();
      this.zombies = zombies;
      if (left.processes.length + left.netns.length === 0 || performance.now() > end) return left;
      await sleep(20);
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Poll `read` for up to `ms` until it equals `expected`; returns the last value read. */
export async function settleTo<T>(read: () => T, expected: T, ms = 1000): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const value = read();
    if (JSON.stringify(value) === JSON.stringify(expected) || performance.now() > end) return value;
    await sleep(50);
  }
}

/** TCP connections in ESTABLISHED state in the network namespace of process `pid`. */
export function established(pid: number): number {
  try {
    return readFileSync(`/proc/${pid}/net/tcp`, "utf8")
      .split("\n")
      .slice(1)
      .filter((l) => l.trim().split(/\s+/)[3] === "01").length;
  } catch {
    return 0;
  }
}

/** The TCP sockets (IPv4 and IPv6) of the namespace at `path`, as its /proc/net/tcp rows. */
export function tcpSocketsIn(path: string): { state: string; inode: string }[] {
  const cat = "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; exit 0";
  try {
    const text = execFileSync("nsenter", [`--net=${path}`, "--", "sh", "-c", cat], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return text
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => /^\d+:$/.test(f[0] ?? ""))
      .map((f) => ({ state: f[3], inode: f[9] }));
  } catch {
    return []; // gone meanwhile
  }
}
