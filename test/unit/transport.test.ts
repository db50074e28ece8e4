// The runner reaches an agent through a Transport. Here the channel is an in-memory agent (no
// process at all, as an in-process transport would be) or a real command prefix; the runner's
// side checks the hello's version and puts a remote clock on its own.
import { describe, expect, it } from "vitest";
import { nowMs } from "../../src/clock.js";
import { SetupError } from "../../src/errors.js";
import { AgentProcess } from "../../src/lab/agent-process.js";
import type { AgentMessage } from "../../src/protocol.js";
import { type AgentChannel, commandTransport, type Transport } from "../../src/transport/index.js";
import { VERSION } from "../../src/version.js";

/** An agent in memory whose clock runs `skewMs` ahead of the runner's. */
function memoryTransport(version: string | undefined, skewMs = 0): Transport {
  return {
    where: "memory",
    sameClock: skewMs === 0,
    signalsReachAgent: false,
    open(): AgentChannel {
      let listener: (line: string) => void = () => {};
      let end: () => void = () => {};
      const send = (msg: object) => setImmediate(() => listener(JSON.stringify(msg)));
      return {
        pid: undefined,
        exited: new Promise((resolve) => {
          end = () => resolve({ code: 0, signal: null });
        }),
        write(line) {
          const cmd = JSON.parse(line) as { id: number; op: string };
          const t = nowMs() + skewMs;
          if (cmd.op === "snapshot") send({ type: "reply", id: cmd.id, ok: true, t, info: {} });
          if (cmd.op === "act") {
            send({ type: "event", t, side: "server", conn: "x", call: "close", result: "OK" });
            send({ type: "reply", id: cmd.id, ok: true, t });
          }
        },
        onLine(l) {
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

  it("speaks the protocol over any channel and puts a remote clock on the runner's", async () => {
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
    agent.close();
    await agent.exited;
  });

  it("a command transport runs VIA REMOTE-COMMAND FLAGS and carries lines both ways", async () => {
    const echo = commandTransport("env", `sh -c 'while read l; do echo "$l $1"; done' --`);
    const channel = echo.open(["--host"]);
    const lines: string[] = [];
    channel.onLine((l) => lines.push(l));
    channel.write("hello");
    channel.close();
    expect(await channel.exited).toEqual({ code: 0, signal: null });
    expect(lines).toEqual(["hello --host"]);
  });

  it("a command prefix that is not found ends the channel and says why", async () => {
    const channel = commandTransport("no-such-command-x").open([]);
    expect((await channel.exited).code).toBe(127);
    expect(channel.lastError()).toMatch(/no-such-command-x: not found/);
  });
});
