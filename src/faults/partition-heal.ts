// partition-heal: for --duration the router silently drops everything between client and
// server in both directions; then the partition heals. Both hosts and their TCP state live
// on. Segments sent meanwhile are lost and retransmitted with backoff; the first
// retransmission after the heal gets through and everything catches up, unless a timer
// (TCP_USER_TIMEOUT, keepalive, tcp_retries2) gave up first.
import { nowMs, sleep } from "../clock.js";
import { partition } from "../predict/index.js";
import type { Fault } from "./fault.js";

/** --duration when not given. */
const DEFAULT_DURATION_MS = 3000;

export const partitionHeal: Fault = {
  name: "partition",
  observers: ["client"],
  serverMayDie: false,
  foreignServer: "as-is",
  wire: ({ settings }) => partition(settings.durationMs ?? DEFAULT_DURATION_MS),
  async inject({ lab, settings, note }) {
    const at = nowMs();
    await lab.blackhole(["server", "client"]);
    const durationMs = settings.durationMs ?? DEFAULT_DURATION_MS;
    const rest = (async () => {
      await sleep(Math.max(0, at + durationMs - nowMs()));
      await lab.blackhole(["server", "client"], false);
      note(nowMs(), "the partition heals");
    })();
    return { at, rest };
  },
};
