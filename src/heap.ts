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

/** The flags, for runs whose CLI holds thousands of connections' state. */
export const SCALE_HEAP_FLAGS = ["--semi-space-growth-factor=1", "--heap-growing-percent=20"];

/**
 * Tune the heap when the run opens more than one connection per workload (`--connections`);
 * node:v8 is loaded here, once a lab is being built, not at the CLI's start.
 */
export async function tuneHeapForScale(connections: unknown): Promise<void> {
  if (!(Number(connections ?? 1) > 1)) return;
  const { setFlagsFromString } = await import("node:v8");
  for (const flag of SCALE_HEAP_FLAGS) setFlagsFromString(flag);
}
