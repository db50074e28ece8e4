// End to end, as root: the pooled workload through a router that is a stateful load balancer
// (conntrack's established timeout 3 s, no loose pickup, forgotten flows answered with RST).
// Lab-level, from the built dist/ (the agents run from there). The fault files that will compose these verbs get their own scenario tests.
import { describe, expect, it } from "vitest";
import { nowMs, sleep } from "../../dist/faults/fault.js";
import { Lab } from "../../dist/lab/lab.js";
import { loadRules, ruleset, statefulForward, tuneConntrack } from "../../dist/lab/middlebox.js";
import type { ClientSpec } from "../../src/agent/client.js";
import type { AgentMessage } from "../../src/lab/agent-process.js";
import { onPath } from "../../src/lab/privileges.js";
import { isRoot } from "./helpers.js";

const hasTools = onPath("nft");
if (isRoot && !hasTools) console.warn("skipping pooled middlebox tests: install nftables");

interface Event {
  t: number;
  side: string;
  conn: string;
  call: string;
  result: string;
  detail?: string;
}

async function pooledThroughLoadBalancer(keepalive: ClientSpec["options"]["keepalive"]) {
  const events: Event[] = [];
  const done = new Set<string>();
  const onMessage = (_host: string, msg: AgentMessage) => {
    if (msg.type === "event") events.push(msg as unknown as Event);
    if (msg.type === "done") done.add(msg.conn as string);
  };
  const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage });
  try {
    await tuneConntrack(lab.router, { establishedTimeoutS: 3, loose: false });
    await loadRules(lab.router, ruleset([statefulForward("reset")]), "load balancer");
    const spec: ClientSpec = {
      conn: "pooled",
      workload: "pooled",
      ip: lab.serverIp,
      port: lab.serverPort,
      options: { keepalive },
      sendIntervalMs: 200,
      requestAfterMs: 4000,
    };
    await lab.client.request("connect", { specs: [spec] });
    const end = nowMs() + 7000;
    while (!done.has("pooled") && nowMs() < end) await sleep(50);
  } finally {
    await lab.destroy();
  }
  const connect = events.find((e) => e.conn === "pooled" && e.call === "connect");
  const after = (e: Event | undefined) => (e && connect ? e.t - connect.t : null);
  const client = events.filter((e) => e.side === "client" && e.conn === "pooled");
  const request = client.find((e) => e.call === "send");
  return { client, request, after };
}

describe.skipIf(!isRoot || !hasTools)(
  "pooled through a load balancer with a 3 s idle timeout",
  () => {
    it("without keepalive: the request after 4 s meets a RST, recv ECONNRESET at once", async () => {
      const { client, request, after } = await pooledThroughLoadBalancer(null);
      expect(request?.result).toBe("OK");
      const failure = client.find((e) => e.call === "recv" && e.result !== "OK");
      expect(failure?.result).toBe("ECONNRESET");
      expect(after(request)).toBeGreaterThan(3900);
      // The RST comes from the router in the same lab: well under a millisecond in practice.
      expect((failure?.t ?? Infinity) - (request?.t ?? 0)).toBeLessThan(50);
    }, 30_000);

    it("keepalive 1,1,2 (below the timeout): the flow never expires, the request is answered", async () => {
      const ka = { idle: 1, interval: 1, count: 2 };
      const { client } = await pooledThroughLoadBalancer(ka);
      expect(client.find((e) => e.call === "recv" && e.detail === "answer")?.result).toBe("OK");
      expect(client.filter((e) => !["OK", "EAGAIN"].includes(e.result))).toEqual([]);
    }, 30_000);
  },
);
