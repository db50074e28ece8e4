// End to end, as root: where the lab's agents run. A default run starts no agent process: the
// client's and the server's sockets live in tcpdrop's own process, and yet in the lab's
// namespaces (their inodes are in the lab hosts' TCP tables, none in the machine's), and a
// host crash still goes unheard. A fault that signals the server's process (peer-kill,
// peer-freeze) starts no agent either: the signal reaches a small stand-in process that takes
// the server's sockets over at the fault (src/transport/stand-in.ts).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isRoot, ROOT } from "./helpers.js";
import { isAgent, type Proc, readProc, tcpSocketsIn, Watched } from "./process-tree.js";

const { Lab } = await import(`${ROOT}dist/lab/lab.js`);

/** The socket inodes a process holds (its fds). */
function socketInodes(pid: number): Set<string> {
  const found = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) found.add(m[1]);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    // gone
  }
  return found;
}

/** The inodes of the TCP sockets in this process's own network namespace (the machine's). */
function machineTcpInodes(): Set<string> {
  const found = new Set<string>();
  for (const table of ["tcp", "tcp6"]) {
    try {
      const lines = readFileSync(`/proc/self/net/${table}`, "utf8").split("\n").slice(1);
      for (const line of lines) {
        const inode = line.trim().split(/\s+/)[9];
        if (inode && inode !== "0") found.add(inode);
      }
    } catch {
      // no such table here
    }
  }
  return found;
}

/**
 * Every agent process the run had, by PID, with its host (polled while it runs: an exited
 * process's argv is gone from /proc, so Watched.seen may hold it without its argv).
 */
function collectAgents(w: Watched): Map<number, string> {
  const agents = new Map<number, string>();
  const look = () => {
    for (const p of w.agents()) agents.set(p.pid, p.argv[p.argv.indexOf("--host") + 1]);
  };
  const timer = setInterval(look, 5);
  w.exit.then(() => clearInterval(timer));
  look();
  return agents;
}

/**
 * Processes of the run that ran node (tcpdrop's own is not among them). A child seen before
 * its exec still shows tcpdrop's own command line (a tool's posix_spawn under way): that is
 * not a node process of the run.
 */
const nodeChildren = (w: Watched): Proc[] =>
  [...w.seen.values()].filter(
    (p) =>
      isAgent(p) ||
      (p.argv[0] === process.execPath && !p.argv.some((a) => a.endsWith("bin/tcpdrop.js"))),
  );

describe.skipIf(!isRoot)("in-process agents", () => {
  it("a default run (host-crash) starts no agent process; its sockets are in the lab", async () => {
    // --pre-fault 500: the server's sockets live long enough before the crash to be seen
    const args = ["run", "host-crash", "--detect", "keepalive", "--keepalive", "1,1,2"];
    args.push("--pre-fault", "500", "--json");
    const w = new Watched(args);
    const agents = collectAgents(w);
    let inLab = 0;
    let inMachine = 0;
    // While the connection is up, tcpdrop's own TCP sockets are in the lab hosts' tables: the
    // listener, the accepted socket and the client's before the crash, the client's after it.
    await w.until(() => {
      const mine = socketInodes(w.pid);
      const paths = [...w.labNamespaces().values()];
      const lab = new Set(paths.flatMap((path) => tcpSocketsIn(path).map((s) => s.inode)));
      const machine = machineTcpInodes();
      inLab = Math.max(inLab, [...mine].filter((i) => lab.has(i)).length);
      inMachine = Math.max(inMachine, [...mine].filter((i) => machine.has(i)).length);
      return false;
    }, 30_000);
    const exit = await w.exit;
    expect(exit.code, exit.stderr).toBe(0);
    expect(inLab).toBeGreaterThanOrEqual(2);
    expect(inMachine).toBe(0);
    expect(w.labNetns.size).toBeGreaterThanOrEqual(3);
    expect([...agents.values()]).toEqual([]);
    expect(nodeChildren(w)).toEqual([]);
    // keepalive 1,1,2 from the last activity, --pre-fault (500 ms) before the fault: ~2.5 s
    const conn = JSON.parse(exit.stdout).runs[0].connections[0];
    expect(conn.firstFailure).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    expect(conn.firstFailure.afterMs).toBeGreaterThan(2000);
    expect(conn.firstFailure.afterMs).toBeLessThan(3100);
  });

  it("peer-kill starts no agent process: the server's sockets die with a stand-in", async () => {
    const w = new Watched(["run", "peer-kill", "--detect", "recv", "--json"]);
    const agents = collectAgents(w);
    const exit = await w.exit;
    expect(exit.code, exit.stderr).toBe(0);
    expect([...agents.values()]).toEqual([]);
    expect(nodeChildren(w)).toEqual([]);
    const conn = JSON.parse(exit.stdout).runs[0].connections[0];
    expect(conn.firstFailure).toMatchObject({ call: "recv", result: "EOF" });
    expect(conn.firstFailure.afterMs).toBeLessThan(100);
  });

  it("peer-freeze stops a real process that holds the server's sockets, and tcpdrop lets go of them", async () => {
    const w = new Watched(["run", "peer-freeze", "--window", "3", "--json"]);
    const agents = collectAgents(w);
    let stopped: Proc | undefined;
    let held: string[] = [];
    let stillMine: string[] = [];
    // The stand-in (`sleep infinity`, a child of tcpdrop) lives from the fault to the teardown.
    await w.until(() => {
      const stand = w.scan().find((p) => p.argv[0] === "sleep" && p.argv[1] === "infinity");
      if (stand?.state !== "T") return false;
      const paths = [...w.labNamespaces().values()];
      const labTcp = new Set(paths.flatMap((path) => tcpSocketsIn(path).map((s) => s.inode)));
      held = [...socketInodes(stand.pid)].filter((i) => labTcp.has(i));
      stillMine = [...socketInodes(w.pid)].filter((i) => held.includes(i));
      stopped = stand;
      return held.length > 0;
    }, 30_000);
    const exit = await w.exit;
    expect(exit.code, exit.stderr).toBe(0);
    expect(stopped?.state).toBe("T");
    // the listener and the accepted connections (one a workload: idle, writer, heartbeat)
    expect(held.length).toBeGreaterThanOrEqual(4);
    expect(stillMine).toEqual([]);
    expect([...agents.values()]).toEqual([]);
    expect(stopped && readProc(stopped.pid)).toBeNull();
    const heartbeat = JSON.parse(exit.stdout).runs[0].connections.find(
      (c: { id: string }) => c.id === "heartbeat",
    );
    expect(heartbeat.firstFailure).toMatchObject({ call: "heartbeat", result: "DEAD" });
  });

  it("lab.signal on an in-process server is a programming error naming the declaration", async () => {
    const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });
    try {
      expect(() => lab.signal("server", "SIGKILL")).toThrow(/declare serverProcess: "real"/);
      // nothing was signalled: the server still answers
      await expect(lab.act("close-all")).resolves.toBeGreaterThan(0);
    } finally {
      await lab.destroy();
    }
  });
});
