// End to end, as root: a user's server (python3 -m http.server, from the distribution) traced
// in the lab's server host, a traced python3 client in the client host, and the faults that act
// on a process done from outside: kill, shutdown's SIGTERM, freeze. Also: waiting for the
// server to listen, with a bound.
import { describe, expect, it } from "vitest";
import { isRoot, ROOT } from "./helpers.js";

const dist = (path: string) => import(`${ROOT}dist/${path}`);
const { Lab } = await dist("lab/lab.js");
const { TracedProgram } = await dist("program/run-program.js");
const { groupConnections } = await dist("program/connections.js");
const { waitListening } = await dist("program/read-sockets.js");
const { nowMs } = await dist("clock.js");
const { onPath } = await dist("lab/privileges.js");

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hasTools = onPath("strace") && onPath("python3") && onPath("setpriv");
/** The built-in server agent has 7000; the user's server gets its own port. */
const PORT = 7001;
const SERVER = "python3 -m http.server --bind {server} {port}";
const CLIENT = `python3 -c 'import os, socket
s = socket.create_connection((os.environ["TCPDROP_SERVER"], int(os.environ["TCPDROP_PORT"])))
print(s.recv(100))'`;

type Program = InstanceType<typeof TracedProgram>;

/** A user server and a client in the lab; `fault` acts on the server 300 ms after connecting. */
async function serverUnder(fault: (server: Program) => Promise<void>, windowMs = 1500) {
  const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });
  const where = { server: lab.serverIp, port: PORT };
  try {
    const server = TracedProgram.start({
      command: SERVER,
      netns: lab.hosts.server.netns,
      ...where,
    });
    expect(await waitListening(lab.hosts.server.netns, lab.serverIp, PORT, 5000)).toBe(true);
    const client = TracedProgram.start({
      command: CLIENT,
      netns: lab.hosts.client.netns,
      ...where,
    });
    expect((await client.waitEstablished(5000)).kind).toBe("established");
    await sleep(300);
    const faultMs = nowMs();
    await fault(server);
    await Promise.race([client.exited, sleep(windowMs)]);
    const [clientOut, serverOut] = [await client.stop(), await server.stop()];
    return {
      faultMs,
      client: { ...clientOut, connections: groupConnections(clientOut.records) },
      server: { ...serverOut, connections: groupConnections(serverOut.records) },
    };
  } finally {
    await lab.destroy();
  }
}

describe.skipIf(!isRoot || !hasTools)("a user's server in the lab", () => {
  it("peer-kill: every server process SIGKILLed; the client reads EOF at once", async () => {
    const { faultMs, client, server } = await serverUnder(async (s) => {
      expect(s.signal("SIGKILL")).toBeGreaterThanOrEqual(1);
    });
    const [conn] = client.connections;
    expect(conn.firstFailure).toMatchObject({ call: "recvfrom", result: "EOF" });
    expect(conn.firstFailure.atMs - faultMs).toBeLessThan(100);
    expect(server.exit?.signal).toBe("SIGKILL");
    // The server's side of the same connection, named from its end, accepted.
    const accepted = server.connections.find((c: { via: string }) => c.via === "accept");
    expect(accepted?.dst).toBe(conn.src);
  });

  it("shutdown's SIGTERM: python's default action ends it, the kernel sends FIN, EOF", async () => {
    const { faultMs, client, server } = await serverUnder(async (s) => {
      s.signal("SIGTERM");
    });
    expect(client.connections[0].firstFailure).toMatchObject({ result: "EOF" });
    expect(client.connections[0].firstFailure.atMs - faultMs).toBeLessThan(200);
    expect(server.exit?.signal).toBe("SIGTERM");
  });

  it("freeze (SIGSTOP): its kernel still ACKs, the client sees nothing and stays blocked", async () => {
    const { client, server } = await serverUnder(async (s) => {
      s.signal("SIGSTOP");
    }, 1000);
    const [conn] = client.connections;
    expect(conn.firstFailure).toBeNull();
    expect(conn.blocked[0]).toMatchObject({ call: "recvfrom", endedMs: null });
    expect(server.exit).toBeNull();
  });

  it("a server that never listens is noticed within the bound", async () => {
    const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });
    try {
      const server = TracedProgram.start({
        command: "sleep 30",
        netns: lab.hosts.server.netns,
        server: lab.serverIp,
        port: PORT,
      });
      const started = nowMs();
      expect(await waitListening(lab.hosts.server.netns, lab.serverIp, PORT, 700)).toBe(false);
      expect(nowMs() - started).toBeLessThan(2000);
      await server.stop();
    } finally {
      await lab.destroy();
    }
  });
});
