// The fixed rhythm of every run: how long the connections live before the fault, and how
// often the writer sends. explain uses the same numbers to predict what a run will measure.

/** How long the connections run before the fault, so the writer has traffic in flight. */
export const PRE_FAULT_MS = 250;
/** The writer sends a small message this often. */
export const WRITER_INTERVAL_MS = 200;
