// nat-idle-timeout: before the client connects, the router becomes a NAT: it masquerades the
// client (the server sees the router's address, with the client's port) and forgets a mapping
// idle for --idle-timeout seconds (conntrack's established timeout in the router's namespace).
// The next segment of a forgotten flow is INVALID and dropped without a word: a pooled
// client's request is retransmitted into the void until TCP_USER_TIMEOUT (or tcp_retries2,
// ~15 min) gives up with ETIMEDOUT; unanswered keepalive probes end in ETIMEDOUT too. The
// server's segments for a forgotten mapping are addressed to the router itself, and dropped
// there as well (`ct state invalid drop` in its input chain), so the NAT is silent both ways.
// t=0 is when watching starts, a fixed moment after the connect, as in lb-idle-timeout.
import { nowMs } from "../clock.js";
import { middleboxTimes } from "../defaults.js";
import {
  loadRules,
  MIDDLEBOX_TOOLS,
  masquerade,
  ruleset,
  statefulForward,
  tuneConntrack,
} from "../lab/middlebox.js";
import { WRITER_INTERVAL_MS } from "../plan/timing.js";
import { middlebox } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const natIdleTimeout: Fault = {
  name: "nat-idle-timeout",
  observers: ["client"],
  serverMayDie: false,
  remote: {
    needs: "lab",
    why: "the NAT is the lab's router: masquerade and conntrack in its namespace",
  },
  // It acts on the router only: any server's connections go through it alike.
  foreignServer: "as-is",
  tools: MIDDLEBOX_TOOLS,
  wire: ({ settings, workload }) =>
    middlebox({
      answer: "drop",
      ...middleboxTimes(settings),
      flushAtMs: null,
      workload,
      sendIntervalMs: WRITER_INTERVAL_MS,
    }),
  async prepareRouter(router, { settings, plan }) {
    const { idleTimeoutS } = middleboxTimes(settings);
    await tuneConntrack(router, { establishedTimeoutS: idleTimeoutS, loose: false });
    const rules = ruleset([statefulForward("drop"), masquerade(plan, "s0")]);
    await loadRules(router, rules, "make the router a NAT");
  },
  inject: async () => ({ at: nowMs() }),
};
