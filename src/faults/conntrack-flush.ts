// conntrack-flush: before the client connects, the router becomes a stateful firewall that
// passes only the flows it knows. At t=0 its connection table is flushed (`conntrack -F`), as
// after a failover to a standby without state sync, or a reload. With loose pickup off
// (nf_conntrack_tcp_loose=0, the default here) the next segment of every flow is INVALID and
// dropped: a writer's data, or a pooled request, is retransmitted into the void until
// TCP_USER_TIMEOUT or tcp_retries2 gives up; an idle connection notices nothing. With
// --loose on, conntrack adopts each flow mid-stream from its next segment, the firewall
// accepts it as NEW, and nothing fails.
import { nowMs } from "../clock.js";
import { middleboxTimes } from "../defaults.js";
import {
  flushConntrack,
  loadRules,
  MIDDLEBOX_TOOLS,
  ruleset,
  statefulForward,
  tuneConntrack,
} from "../lab/middlebox.js";
import { WRITER_INTERVAL_MS } from "../plan/timing.js";
import { middlebox } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const conntrackFlush: Fault = {
  name: "conntrack-flush",
  observers: ["client"],
  serverMayDie: false,
  remote: { needs: "lab", why: "the flushed conntrack table is the lab's router's" },
  // It acts on the router only: any server's connections go through it alike.
  foreignServer: "as-is",
  tools: MIDDLEBOX_TOOLS,
  wire: ({ settings, workload }) =>
    middlebox({
      answer: settings.loose ? "pickup" : "drop",
      // No idle timeout here: conntrack's default (5 days) never fires within a window.
      idleTimeoutS: null,
      requestAfterMs: middleboxTimes(settings).requestAfterMs,
      flushAtMs: 0,
      workload,
      sendIntervalMs: WRITER_INTERVAL_MS,
    }),
  async prepareRouter(router, { settings }) {
    await tuneConntrack(router, { loose: settings.loose ?? false });
    const rules = ruleset([statefulForward(settings.loose ? "adopt" : "drop")]);
    await loadRules(router, rules, "make the router a stateful firewall");
  },
  async inject({ lab }) {
    await flushConntrack(lab.router);
    // The table is empty once `conntrack -F` has returned: that is t=0.
    return { at: nowMs() };
  },
};
