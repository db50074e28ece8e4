// A pure model of the Linux TCP timers that decide when a client learns its peer is gone:
// the timer wheel, the retransmission timer (tcp_retries2, TCP_USER_TIMEOUT) and keepalive.
// Predictions are printed next to measurements; they are theory, never a substitute.

export { undetectedHint } from "./hint.js";
export { jiffiesToMs, msToJiffies, timerDelayMs, timerMaxDelayMs } from "./jiffies.js";
export type { KeepaliveInput, KeepaliveOutcome } from "./keepalive.js";
export { keepaliveGiveUpMs, keepaliveProbeTimesMs, simulateKeepalive } from "./keepalive.js";
export { predict } from "./predict.js";
export type { RetransmitInput, RetransmitOutcome } from "./retransmit.js";
export {
  retransmitGiveUpMs,
  retries2TimeoutMs,
  TCP_RTO_MAX_MS,
  TCP_RTO_MIN_MS,
} from "./retransmit.js";
