// What the packet capture costs a run: the same run alternately with the capture (the
// default) and with --packets off, through the real runner. Two figures, issue #12's targets:
// the run's wall time (with / without, at most 1.05) and the detection shift, the change in
// (measured - predicted) of a keepalive connection's ETIMEDOUT (at most 2 ms). The
// prediction follows each run's own last activity and timer alignment, so measured - predicted
// is what a capture could shift, without the run-to-run spread of the timers themselves.
import { fromDist, loadavg, median, nowMs, sleep, stats } from "./lib.mjs";

const { runScenario } = await fromDist("runner/run-scenario.js");
const { loadScenario } = await fromDist("scenario/load.js");
const { parseSettings } = await fromDist("commands/settings.js");

/** A 1 s timer's granule in the timer wheel: 8 jiffies, 32 ms at HZ=250 (predict/jiffies.ts). */
const WHEEL_GRANULE_MS = 32;

// One keepalive connection: the run ends right after its ETIMEDOUT and follow-up calls.
const SCENARIO = "host-crash";
const FLAGS = { detect: ["keepalive"], keepalive: "1,1,2", window: "5" };

async function once(packets) {
  const settings = parseSettings({ ...FLAGS, packets });
  const started = nowMs();
  const run = await runScenario(loadScenario(SCENARIO), settings);
  const wallMs = nowMs() - started;
  const idle = run.connections.find((c) => c.id === "keepalive");
  const measured = idle?.firstFailure?.afterMs;
  const predicted = idle?.predicted?.afterMs;
  const errorMs = measured != null && predicted != null ? measured - predicted : Number.NaN;
  return { wallMs, errorMs, packets: run.capture?.count ?? 0 };
}

export async function captureCost({ rounds, warmup }) {
  // alternate which one goes first, so that neither always follows the other's teardown
  const on = [];
  const off = [];
  for (let r = 0; r < warmup + rounds; r++) {
    const order = r % 2 ? ["off", "on"] : ["on", "off"];
    const pair = {};
    for (const packets of order) {
      // Back to back, each run would start a fixed time after the last one's keepalive timer
      // fired, so every run would meet the timer wheel's 32 ms granules at the same phase, a
      // different one with and without the capture (its start and stop take different
      // times): a fixed offset of up to a granule that no capture causes. A pause of a random
      // part of a granule first gives every run a phase of its own.
      await sleep(Math.random() * WHEEL_GRANULE_MS);
      pair[packets] = await once(packets);
    }
    if (r < warmup) continue;
    on.push(pair.on);
    off.push(pair.off);
  }
  const wall = { on: stats(on.map((r) => r.wallMs)), off: stats(off.map((r) => r.wallMs)) };
  const error = { on: stats(on.map((r) => r.errorMs)), off: stats(off.map((r) => r.errorMs)) };
  // each round's pair ran back to back: their ratio cancels the machine's slow drift
  const ratios = on.map((r, i) => r.wallMs / off[i].wallMs);
  return {
    scenario: `${SCENARIO} --detect keepalive --keepalive ${FLAGS.keepalive} --window ${FLAGS.window}`,
    rounds,
    wall,
    error,
    ratio: median(ratios),
    ratios: stats(ratios),
    ...shift(on.map((r, i) => r.errorMs - off[i].errorMs)),
    packets: median(on.map((r) => r.packets)),
    load: loadavg(),
  };
}

/**
 * The detection shift: the median of the rounds' paired differences (with minus without), and
 * its noise, the half-width of a median's notch (1.58 IQR / sqrt(n)): robust to the odd run a
 * loaded machine delays by hundreds of ms.
 */
function shift(diffs) {
  const s = [...diffs].filter(Number.isFinite).sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { shiftMs: median(s), noiseMs: (1.58 * (q(0.75) - q(0.25))) / Math.sqrt(s.length) };
}
