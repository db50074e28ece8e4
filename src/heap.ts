// How V8 sizes tcpdrop's own heap in a run at scale. `run host-crash --connections 10000`
// holds ~40 MB of live objects in the CLI (the agents' event lines, the capture's per-flow
// state, the TCP_INFO snapshots, then the report), and V8's defaults let the process peak at
// 155,000-182,000 kB of VmHWM against a target of 150,000 kB: the young generation grows to
// 2 x 16 MiB semi-spaces, and the old generation may grow to about twice what survived its
// last mark-compact before the next one (two mark-compacts in the whole run, the second at
// ~3 s). Both are V8 flags that it reads each time it sizes a space, so they still act when
// set from here, after the launch (`--max-semi-space-size` does not: it is fixed at start):
// - the young generation stops growing at its current size (8 or 16 MiB by the first lab
//   step): more scavenges, each of a smaller space;
// - the old generation is collected once it has grown 20 % past what survived the last
//   mark-compact (8 instead of 3 per run, ~140 ms of major GC in all instead of ~70 ms).
// Measured on `run host-crash --connections 10000 --keepalive 1,1,2 --json`: the CLI's VmHWM
// from 155,000-173,000 kB to 119,000-132,000 kB.

import { setFlagsFromString } from "node:v8";

/** The flags, for runs whose CLI holds thousands of connections' state. */
export const SCALE_HEAP_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];

/**
 * Tune the heap for a run that opens more than one connection per workload (`--connections`).
 * This module, and node:v8 with it, is loaded then (actions.ts), not at the CLI's start.
 */
export function tuneHeapForScale(): void {
  for (const flag of SCALE_HEAP_FLAGS) setFlagsFromString(flag);
}
