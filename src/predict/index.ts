// src/predict: a pure model of the Linux TCP timers that decide when an observer learns its
// peer is gone (the timer wheel, the retransmission timer, keepalive, SYN retries), and the
// wire effects faults produce (wire.ts and one module per kind). Predictions are printed next
// to measurements; they are theory, never a substitute.

export { frozen } from "./frozen.js";
export { partition } from "./heal.js";
export { undetectedHint } from "./hint.js";
export { icmpUnreachable, warmWriterModes } from "./icmp.js";
export { jiffiesToMs, msToJiffies, timerDelayMs, timerMaxDelayMs } from "./jiffies.js";
export type { KeepaliveInput, KeepaliveOutcome } from "./keepalive.js";
export { keepaliveGiveUpMs, keepaliveProbeTimesMs, simulateKeepalive } from "./keepalive.js";
export { type MiddleboxWire, middlebox, resetBothEnds } from "./middlebox-wire.js";
export { closedByServer, fin, rst } from "./peer-closed.js";
export { connectRefused } from "./refusal.js";
export type { RetransmitInput, RetransmitOutcome } from "./retransmit.js";
export {
  retransmitGiveUpMs,
  retries2TimeoutMs,
  TCP_RTO_MAX_MS,
  TCP_RTO_MIN_MS,
} from "./retransmit.js";
export { silent, silentThenRst } from "./silence.js";
export { connectTimeout, synTimeout } from "./syn-timeout.js";
export { type ModelInput, predict, type WireEffect } from "./wire.js";
