// The runner reaches an agent through a Transport. Here the link is an in-memory agent, a real
// command prefix (JSON lines, checked where they cross the process boundary), or the
// in-process end: an agent with no process, whose sockets are made in a namespace of their own
// (as root; a throwaway namespace, not the machine's). The runner's side checks the hello's
// version and puts a remote clock on its own.
import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { nowMs, sleep } from "../../src/clock.js";
import { SetupError } from "../../src/errors.js";
import { AgentProcess } from "../../src/lab/agent-process.js";
import { ipBatch } from "../../src/lab/exec.js";
import { Host } from "../../src/lab/host.js";
import type { AgentMessage, Command } from "../../src/protocol.js";
import { inProcessTransport } from "../../src/transport/in-process.js";
import {
  type AgentLink,
  commandTransport,
  type LinkMessage,
  type Transport,
} from "../../src/transport/index.js";
import { VERSION } from "../../src/version.js";

const isRoot = process.getuid?.() === 0;
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "../../src");

/** The src/ modules `entry` loads at run time (static imports; type-only ones erased). */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [resolve(SRC, entry)];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(
      /(?:^|\n)\s*(import|export)\s+(type\s)?[^;]*?from\s+"(\.[^"]+)"/g,
    )) {
      if (m[2] === undefined) queue.push(resolve(dirname(file), m[3].replace(/\.js$/, ".ts")));
    }
  }
  return new Set([...seen].map((f) => relative(SRC, f)));
}

/** An agent in memory whose clock runs `skewMs` ahead of the runner's. */
function memoryTransport(version: string | undefined, skewMs = 0): Transport {
  return {
    kind: "remote",
    where: "memory",
    sameClock: skewMs === 0,
    signalsReachAgent: false,
    async open(): Promise<AgentLink> {
      let listener: (msg: LinkMessage) => void = () => {};
      let end: () => void = () => {};
      const send = (msg: LinkMessage) => setImmediate(() => listener(msg));
      return {
        pid: undefined,
        exited: new Promise((resolve) => {
          end = () => resolve({ code: 0, signal: null });
        }),
        send(cmd: Command) {
          const t = nowMs() + skewMs;
          if (cmd.op === "snapshot") send({ type: "reply", id: cmd.id, ok: true, t, info: {} });
          if (cmd.op === "act") {
            send({ type: "event", t, side: "server", conn: "x", call: "close", result: "OK" });
            send({ type: "reply", id: cmd.id, ok: true, t });
          }
          if (cmd.op === "listen") send({ type: "malformed", id: cmd.id, why: "expected object" });
        },
        onMessage(l) {
          listener = l;
          send({ type: "ready", host: "server", pid: 42, t: nowMs() + skewMs, version });
        },
        onError() {},
        lastError: () => "",
        close: () => end(),
        kill: () => end(),
      };
    },
  };
}

describe("transport", () => {
  it("refuses an agent of another version, or one that does not say", async () => {
    for (const version of ["0.0.1", undefined]) {
      const starting = AgentProcess.start("server", memoryTransport(version), [], () => {});
      await expect(starting).rejects.toBeInstanceOf(SetupError);
      await expect(starting).rejects.toThrow(/this is tcpdrop .*install tcpdrop/);
    }
  });

  it("speaks the protocol over any link and puts a remote clock on the runner's", async () => {
    const events: AgentMessage[] = [];
    const skew = 1_000_000;
    const agent = await AgentProcess.start("server", memoryTransport(VERSION, skew), [], (_h, m) =>
      events.push(m),
    );
    expect(agent.agentPid).toBe(42);
    const before = nowMs();
    const { t } = await agent.request({ op: "act", action: "close-all" });
    const after = nowMs();
    // within the exchange on the runner's clock, though the agent's clock is 1000 s ahead
    expect(t).toBeGreaterThanOrEqual(before - 5);
    expect(t).toBeLessThanOrEqual(after + 5);
    const event = events.find((e) => e.type === "event");
    expect(event && "t" in event && Math.abs(event.t - t)).toBeLessThan(5);
    // a reply the link found malformed is a setup error naming the op
    await expect(agent.request({ op: "listen", ip: "203.0.113.1", port: 1 })).rejects.toThrow(
      /reply to "listen" is malformed: expected object/,
    );
    agent.close();
    await agent.exited;
  });

  it("a command transport runs VIA REMOTE-COMMAND FLAGS and checks the lines both ways", async () => {
    // The "agent" answers each line with a "done" message naming its first flag, then a line
    // the schema rejects.
    const agent = `sh -c 'while read l; do echo "{\\"type\\":\\"done\\",\\"conn\\":\\"$1\\"}"; echo "{\\"type\\":\\"what\\"}"; done' --`;
    const link = await commandTransport("env", agent).open(["--host"]);
    const messages: LinkMessage[] = [];
    link.onMessage((m) => messages.push(m));
    link.send({ id: 1, op: "snapshot" });
    link.close();
    expect(await link.exited).toEqual({ code: 0, signal: null });
    await sleep(20);
    expect(messages).toEqual([
      { type: "done", conn: "--host" },
      { type: "malformed", why: '{"type":"what"}' },
    ]);
  });

  it("an in-process end refuses the flags that need a process of its own", async () => {
    const transport = inProcessTransport("/proc/self/ns/net", "test");
    await expect(transport.open(["--host", "c", "--sigpipe-default"])).rejects.toThrow(
      /cannot honour --sigpipe-default: it needs a process of its own/,
    );
  });

  it("the lab and its in-process end never load the protocol's schemas (zod)", () => {
    // the walk sees what a process agent loads (the check can fail)
    expect(loadedBy("agent/main.ts").has("protocol.ts")).toBe(true);
    const lab = loadedBy("lab/lab.ts");
    expect(lab.has("transport/in-process.ts") && lab.has("agent/core.ts")).toBe(true);
    expect([...lab].filter((f) => /^protocol\.ts$|checked-lines\.ts$/.test(f))).toEqual([]);
  });

  it("a command prefix that is not found ends the link and says why", async () => {
    const link = await commandTransport("no-such-command-x").open([]);
    expect((await link.exited).code).toBe(127);
    expect(link.lastError()).toMatch(/no-such-command-x: not found/);
  });
});

describe.skipIf(!isRoot)("the in-process end (root: a throwaway namespace)", () => {
  const ip = "203.0.113.1";
  const port = 4242;

  it("runs the agent with no process: sockets in the namespace, events in order, SIGKILL closes them", async () => {
    const host = await Host.start("inproc-test");
    try {
      await ipBatch(host, [`addr add ${ip}/32 dev lo`, "link set lo up"], "loopback");
      const transport = inProcessTransport(host.netns, "test");
      expect(transport.kind).toBe("in-process");
      const messages: [string, AgentMessage][] = [];
      const onMessage = (h: string, m: AgentMessage) => messages.push([h, m]);
      const server = await AgentProcess.start("server", transport, [], onMessage);
      const client = await AgentProcess.start("client", transport, [], onMessage);
      expect([server.pid, client.pid, server.agentPid]).toEqual([
        undefined,
        undefined,
        process.pid,
      ]);
      await server.request({ op: "listen", ip, port });
      const spec = { ip, port, options: {}, sendIntervalMs: 200 };
      const { connected } = await client.request({
        op: "connect",
        specs: [{ ...spec, conn: "idle", workload: "idle" }],
      });
      expect(connected).toBe(1);
      await sleep(50);
      // the connection is in the namespace, not in this process's own
      const { info } = await client.request({ op: "snapshot" });
      expect(info.idle?.state).toBe("ESTABLISHED");
      const { t } = await server.request({ op: "act", action: "close-all" });
      const deadline = nowMs() + 2000;
      const done = () => messages.some(([, m]) => m.type === "done");
      while (!done() && nowMs() < deadline) await sleep(5);
      const calls = messages.flatMap(([h, m]) =>
        m.type === "event" ? [`${h} ${m.call} ${m.result}`] : [],
      );
      expect(calls.slice(0, 3).sort()).toEqual(
        ["server listen OK", "client connect OK", "server accept OK"].sort(),
      );
      expect(calls).toContain("server close OK");
      const eof = messages.find(([, m]) => m.type === "event" && m.result === "EOF")?.[1];
      expect(eof && "t" in eof && eof.t - t).toBeGreaterThanOrEqual(0);
      expect(eof && "t" in eof && eof.t - t).toBeLessThan(100);
      expect(done()).toBe(true);

      // only SIGKILL ends an in-process agent: its sockets close at once, and it says nothing
      expect(() => server.kill("SIGSTOP")).toThrow(/own process: it cannot be sent SIGSTOP/);
      const before = messages.length;
      server.kill("SIGKILL");
      client.kill("SIGKILL");
      expect(await server.exited).toBeNull();
      await client.exited;
      expect(server.signal).toBe("SIGKILL");
      expect(messages.length).toBe(before);
    } finally {
      host.kill();
      await host.exited;
    }
  });
});
