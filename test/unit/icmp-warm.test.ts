// The ICMP writer's prediction worked out ahead, a slice at a time (the report's warm-up while a
// run still watches): the same modes and the same prediction as worked out at once, with the
// event loop given a turn every few samples.
import { describe, expect, it, vi } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { icmpWriterModes, icmpWriterModesSliced } from "../../src/predict/icmp-modes.js";
import { routerIcmpLimiter } from "../../src/predict/icmp-ratelimit.js";
import { kernel, writer } from "./wire-fixtures.js";

const basics = {
  firstUnackedSendMs: 150,
  sendIntervalMs: 200,
  rtoMs: 204,
  retries2: 4,
  userTimeoutMs: null,
  recverr: false,
  hz: 250,
};
const limiter = () => routerIcmpLimiter({ family: "ipv4", ratelimitMs: 1000, hz: 250 });
const never = () => false;

/** A pause that counts how often it was taken. */
function countedPause() {
  const counted = { pauses: 0, pause: async () => void counted.pauses++ };
  return counted;
}

describe("icmpWriterModesSliced", () => {
  it("gives the modes icmpWriterModes gives, pausing every few samples", async () => {
    const c = countedPause();
    const sliced = await icmpWriterModesSliced(basics, limiter, c.pause, never);
    expect(sliced).toEqual(icmpWriterModes(basics, limiter));
    expect(c.pauses).toBeGreaterThanOrEqual(40); // 200 samples, a pause every 4
  });

  it("stops between slices when asked", async () => {
    const c = countedPause();
    expect(await icmpWriterModesSliced(basics, limiter, c.pause, () => c.pauses >= 3)).toBeNull();
    expect(c.pauses).toBe(3);
  });
});

describe("warmWriterModes", () => {
  // a fresh copy of icmp.ts each time: its cache of modes starts empty
  const freshIcmp = async () => {
    vi.resetModules();
    return import("../../src/predict/icmp.js");
  };
  const input = {
    settings: parseSettings({ retries2: "4" }),
    facts: { ...writer, sendIntervalMs: 200 },
    kernel,
  };

  it("readies every modes the prediction asks for: the prediction is then the one made at once", async () => {
    const atOnce = (await freshIcmp()).softError(input, "EHOSTUNREACH");
    const icmp = await freshIcmp();
    const c = countedPause();
    const predictOnce = () => icmp.softError(input, "EHOSTUNREACH");
    await icmp.warmWriterModes(predictOnce, c.pause, never);
    // its own modes and the send jitter's (at least one more writer): 200 samples each
    expect(c.pauses).toBeGreaterThanOrEqual(100);
    const readied = c.pauses;
    await icmp.warmWriterModes(predictOnce, c.pause, never);
    expect(c.pauses).toBe(readied); // nothing left to work out
    expect(icmp.softError(input, "EHOSTUNREACH")).toEqual(atOnce);
    expect(atOnce.result).toBe("EHOSTUNREACH");
  });

  it("a prediction that needs no sampling (an idle socket) is readied at once", async () => {
    const icmp = await freshIcmp();
    const idleInput = {
      ...input,
      facts: { ...writer, workload: "idle", firstUnackedSendMs: null },
    };
    const c = countedPause();
    await icmp.warmWriterModes(() => icmp.softError(idleInput, "EHOSTUNREACH"), c.pause, never);
    expect(c.pauses).toBe(0);
  });
});
