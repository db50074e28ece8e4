// src/plan: what a run of a scenario is before any lab exists, shared by `run` and `explain`:
// the settings it runs with and the connections it watches (watched.ts), its fixed rhythm
// (timing.ts), the machine's kernel (kernel.ts), what a run typically measures
// (typical-facts.ts), and the one prediction pipeline (prediction.ts).
export { kernelHz, kernelRelease } from "./kernel.js";
export {
  inWorkloadTerms,
  kernelParams,
  type PredictionInput,
  predictConnection,
  warmPrediction,
} from "./prediction.js";
export { PRE_FAULT_MS, phases, QUIET_PRE_FAULT_MS, WRITER_INTERVAL_MS } from "./timing.js";
export { typicalFacts } from "./typical-facts.js";
export { scenarioSettings, sends, type Watched, watchedConnections } from "./watched.js";
