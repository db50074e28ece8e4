// What the packet capture costs a run: the same run alternately with the capture (the
// default) and with --packets off, through the real runner. Two figures, issue #12's targets:
// the run's wall time (with / without, at most 1.05) and the detection shift, the change in
// (measured - predicted) of the idle connection's keepalive ETIMEDOUT (at most 2 ms). The
// prediction follows each run's own last activity and timer alignment, so measured - predicted
// is what a capture could shift, without the run-to-run spread of the timers themselves.
import { fromDist, interleave, median, nowMs, stats } from "./lib.mjs";

const { runScenario } = await fromDist("runner/run-scenario.js");
const { loadScenario } = await fromDist("scenario/load.js");
const { parseSettings } = await fromDist("commands/settings.js");

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
  const [on, off] = await interleave(rounds, warmup, [() => once("on"), () => once("off")]);
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
    shiftMs: mean(on.map((r) => r.errorMs)) - mean(off.map((r) => r.errorMs)),
    // the shift's noise: two standard errors of a difference of means
    noiseMs:
      2 *
      Math.sqrt(
        variance(on.map((r) => r.errorMs)) / rounds + variance(off.map((r) => r.errorMs)) / rounds,
      ),
    packets: median(on.map((r) => r.packets)),
  };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs) => {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / Math.max(1, xs.length - 1);
};
