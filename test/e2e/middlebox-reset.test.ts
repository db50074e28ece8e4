// End to end, as root: a firewall in the router resets idle and busy connections at both ends.
// Lab-level, from the built dist/: the router agent follows every segment, then forges an
// exact-sequence RST to each end. The fault that composes this gets its own scenario test.
import { describe, expect, it } from "vitest";
import { nowMs, sleep } from "../../dist/faults/fault.js";
import { AgentProcess } from "../../dist/lab/agent-process.js";
import { Lab } from "../../dist/lab/lab.js";
import type { ClientSpec } from "../../src/agent/client.js";
import type { AgentMessage } from "../../src/lab/agent-process.js";
import { isRoot } from "./helpers.js";

interface Event {
  t: number;
  side: string;
  conn: string;
  call: string;
  result: string;
}

describe.skipIf(!isRoot)("middlebox-reset in the lab", () => {
  it("both ends of an idle and of a writing connection see ECONNRESET at once", async () => {
    const events: Event[] = [];
    const onMessage = (_host: string, msg: AgentMessage) => {
      if (msg.type === "event") events.push(msg as unknown as Event);
    };
    const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage });
    const router = await AgentProcess.start("router", lab.router.netns, [], onMessage);
    let resetAt = 0;
    let flows = 0;
    try {
      await router.request("track", { clientPrefix: "198.51.100." });
      const spec = (conn: string, workload: ClientSpec["workload"]): ClientSpec => ({
        conn,
        workload,
        ip: lab.serverIp,
        port: lab.serverPort,
        options: {},
        sendIntervalMs: 200,
      });
      await lab.client.request("connect", {
        specs: [spec("idle", "idle"), spec("writer", "writer")],
      });
      await sleep(1000);
      const reply = await router.request("reset-flows");
      resetAt = reply.t as number;
      flows = reply.flows as number;
      const end = nowMs() + 1500;
      while (nowMs() < end) await sleep(50);
    } finally {
      router.kill("SIGKILL");
      await router.exited;
      await lab.destroy();
    }
    expect(flows).toBe(2);
    const first = (side: string, conn: string) =>
      events.find(
        (e) => e.side === side && e.conn === conn && !["OK", "EAGAIN"].includes(e.result),
      );
    const idle = first("client", "idle");
    expect(idle).toMatchObject({ call: "recv", result: "ECONNRESET" });
    expect((idle?.t ?? Infinity) - resetAt).toBeLessThan(50);
    // The writer learns at its next call: a send, at most one 200 ms interval later.
    expect(first("client", "writer")?.result).toBe("ECONNRESET");
    expect((first("client", "writer")?.t ?? Infinity) - resetAt).toBeLessThan(250);
    const serverFailures = events.filter(
      (e) => e.side === "server" && e.call === "recv" && e.result !== "OK",
    );
    expect(serverFailures.map((e) => e.result)).toEqual(["ECONNRESET", "ECONNRESET"]);
    for (const e of serverFailures) expect(e.t - resetAt).toBeLessThan(50);
  }, 30_000);
});
