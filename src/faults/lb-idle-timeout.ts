// lb-idle-timeout: before the client connects, the router becomes a stateful load balancer:
// conntrack follows every flow and forgets one that has been idle for --idle-timeout seconds
// (its established timeout, in the router's namespace only). Nothing is sent when it forgets;
// neither end knows. The next segment of a forgotten flow (a pooled client's request, or a
// keepalive probe) is not a SYN, so conntrack calls it INVALID and the forward chain answers
// it with a TCP RST, to its sender only: the client's recv fails ECONNRESET at once, and the
// server is never told. Traffic more often than the timeout keeps the flow: a writer's sends,
// or keepalive probes whose idle time is below the timeout. t=0 is when watching starts, a
// fixed moment after the connect (the flow's last segment, where the idle period begins).
import { nowMs } from "../clock.js";
import { middleboxTimes } from "../defaults.js";
import {
  loadRules,
  MIDDLEBOX_TOOLS,
  ruleset,
  statefulForward,
  tuneConntrack,
} from "../lab/middlebox.js";
import { WRITER_INTERVAL_MS } from "../plan/timing.js";
import { middlebox } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const lbIdleTimeout: Fault = {
  name: "lb-idle-timeout",
  observers: ["client"],
  serverMayDie: false,
  remote: {
    needs: "lab",
    why: "the load balancer is the lab's router: nftables and conntrack in its namespace",
  },
  // It acts on the router only: any server's connections go through it alike.
  foreignServer: "as-is",
  tools: MIDDLEBOX_TOOLS,
  wire: ({ settings, workload }) =>
    middlebox({
      answer: "rst",
      ...middleboxTimes(settings),
      flushAtMs: null,
      workload,
      sendIntervalMs: WRITER_INTERVAL_MS,
    }),
  async prepareRouter(router, { settings }) {
    const { idleTimeoutS } = middleboxTimes(settings);
    await tuneConntrack(router, { establishedTimeoutS: idleTimeoutS, loose: false });
    const rules = ruleset([statefulForward("reset")]);
    await loadRules(router, rules, "make the router a load balancer");
  },
  inject: async () => ({ at: nowMs() }),
};
