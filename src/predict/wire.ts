// How a fault looks on the wire, as the model sees it: a WireEffect says what reaches the
// observer (a FIN, a RST, silence, an ICMP error...) and predicts, from the socket's settings
// and what a run measured, when and how the observer's kernel reports it. Each kind lives in
// its own module (peer-closed.ts, silence.ts, icmp.ts, heal.ts, frozen.ts, syn-timeout.ts,
// refusal.ts); a fault declares which one it produces, and predict() only asks it.
import type { ConnectionFacts, KernelParams, Prediction, Settings } from "../types.js";

/** What the model knows about one watched connection. */
export interface ModelInput {
  settings: Settings;
  facts: ConnectionFacts;
  kernel: KernelParams;
}

export interface WireEffect {
  /** A short name for reports and tests: "fin", "silent-then-rst", "icmp"... */
  kind: string;
  /** The peer's kernel tells the observer at once (FIN or RST): no heartbeat beats it. */
  immediate?: boolean;
  /** When that FIN or RST leaves the peer (ms from t=0): 0 for a fault that strikes at once. */
  atMs?: number;
  /**
   * From when the peer stops answering an application heartbeat's pings (ms from t=0), or null
   * when it never does (the pings go through, or meet a RST that TCP reports). Absent: from t=0.
   */
  silentFromMs?(input: ModelInput): number | null;
  predict(input: ModelInput): Prediction;
}

/** The one prediction function: run and explain both call it. `afterMs` is rounded to 0.1 ms. */
export function predict(
  wire: WireEffect,
  settings: Settings,
  facts: ConnectionFacts,
  kernel: KernelParams,
): Prediction {
  return wire.predict({ settings, facts, kernel });
}
