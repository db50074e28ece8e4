// One interface for every fault: inject it into a running lab and say when it happened, and
// say how it will look on the client's wire (which the predictions are made from).
import type { Lab } from "../lab/lab.js";
import type { Settings, WireEffect } from "../types.js";

export interface FaultContext {
  lab: Lab;
  settings: Settings;
  /** Record a lab-level step (e.g. "server host back") at a monotonic time, for the report. */
  note: (t: number, what: string) => void;
}

export interface Injected {
  /** CLOCK_MONOTONIC ms at which the fault took effect: t=0 of the report. */
  at: number;
  /** Work the fault goes on doing after t=0 (a reboot, a delayed kill); awaited before teardown. */
  rest?: Promise<void>;
}

export interface Fault {
  inject(ctx: FaultContext): Promise<Injected>;
  /** How the fault looks from a client connection of this workload (most ignore it). */
  wire(settings: Settings, workload?: string): WireEffect;
}

/** CLOCK_MONOTONIC in ms: one definition, shared with the agents that stamp the events. */
export { nowMs } from "../agent/emit.js";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
