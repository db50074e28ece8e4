// partition-heal: for --duration the router silently drops everything between client and
// server in both directions; then the partition heals. Both hosts and their TCP state live
// on. Segments sent meanwhile are lost and retransmitted with backoff; the first
// retransmission after the heal gets through and everything catches up, unless a timer
// (TCP_USER_TIMEOUT, keepalive, tcp_retries2) gave up first.
import { type Fault, nowMs, sleep } from "./fault.js";

export const partitionHeal: Fault = {
  async inject({ lab, settings, note }) {
    const at = nowMs();
    await lab.partition(false);
    const durationMs = settings.durationMs ?? 3000;
    const rest = (async () => {
      await sleep(Math.max(0, at + durationMs - nowMs()));
      await lab.partition(true);
      note(nowMs(), "the partition heals");
    })();
    return { at, rest };
  },
  wire: (settings) => ({ kind: "partition", healAtMs: settings.durationMs ?? 3000 }),
};
