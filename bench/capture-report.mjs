// The packet-capture section of BENCHMARKS.md (bench/capture.mjs's figures; issue 12's targets).
import { fmt } from "./lib.mjs";

export const CAPTURE_HEADING = "## 9. Packet capture cost";

/** true, false, or null when the shift is within its own noise but the noise exceeds 2 ms. */
export function captureMet(c) {
  if (c.ratio > 1.05) return false;
  if (Math.abs(c.shiftMs) <= 2) return true;
  return Math.abs(c.shiftMs) <= c.noiseMs ? null : false;
}

const VERDICT = (ok) => (ok === null ? "inconclusive" : ok ? "**met**" : "**not met**");

export function captureText(c) {
  const row = (cells) => `| ${cells.join(" | ")} |`;
  const s = (x) => [x.n, fmt(x.min), fmt(x.median), fmt(x.max)];
  return [
    CAPTURE_HEADING,
    "",
    `\`tcpdrop run ${c.scenario}\` through the runner, ${c.rounds} alternating rounds with the`,
    "capture (the default: a packet socket in the router's namespace, opened as the lab is wired,",
    "stopped before the teardown) and with `--packets off` (no capture at all).",
    "",
    row(["", "n", "min", "median", "max"]),
    row(["---", "---", "---", "---", "---"]),
    row(["wall ms, capture", ...s(c.wall.on)]),
    row(["wall ms, --packets off", ...s(c.wall.off)]),
    row([
      "wall ratio per round (with / without)",
      c.ratios.n,
      fmt(c.ratios.min, 3),
      fmt(c.ratios.median, 3),
      fmt(c.ratios.max, 3),
    ]),
    row(["keepalive ETIMEDOUT measured - predicted, capture (ms)", ...s(c.error.on)]),
    row(["keepalive ETIMEDOUT measured - predicted, --packets off (ms)", ...s(c.error.off)]),
    "",
    `Wall time with the capture: ${fmt(c.ratio, 3)}x (median of the rounds' ratios; target at most`,
    `1.05x). Detection shift: ${c.shiftMs >= 0 ? "+" : ""}${fmt(c.shiftMs, 2)} ms (median of the rounds' paired differences), ± ${fmt(c.noiseMs, 2)} ms`,
    "(its notch, 1.58 IQR / sqrt(n): the machine's scheduling spreads the agent's wake-up; target at most",
    `2 ms): ${VERDICT(captureMet(c))}${c.noiseMs > 2 ? ` at the point estimate, though the noise (± ${fmt(c.noiseMs, 2)} ms) is wider than the target` : ""}. A run captured ${c.packets} packets (median). Load average`,
    `at the end: ${c.load ?? "?"} (on ${c.nproc ?? "?"} CPUs; other work on the machine spreads both arms).`,
    "The capture's cost is reading its packets and closing its socket (an RCU grace period, spent",
    "while the lab is torn down); the kernel copies each packet to it without delaying the packet.",
    "",
  ].join("\n");
}
