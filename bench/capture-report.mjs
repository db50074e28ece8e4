// The packet-capture section of BENCHMARKS.md (bench/capture.mjs's figures).
import { fmt } from "./lib.mjs";

export const CAPTURE_HEADING = "## 7. Packet capture cost";

export function captureMet(c) {
  return c.ratio <= 1.05 && Math.abs(c.shiftMs) <= 2;
}

export function captureRow(c) {
  return [
    "7. packet capture",
    "wall time <= 1.05x, detection shift <= 2 ms",
    `${fmt(c.ratio, 3)}x, shift ${c.shiftMs >= 0 ? "+" : ""}${fmt(c.shiftMs, 2)} ms`,
    captureMet(c) ? "**met**" : "**not met**",
  ];
}

export function captureText(c) {
  const row = (cells) => `| ${cells.join(" | ")} |`;
  const s = (x) => [x.n, fmt(x.min), fmt(x.median), fmt(x.max)];
  return [
    CAPTURE_HEADING,
    "",
    `\`tcpdrop run ${c.scenario}\` through the runner, ${c.rounds} alternating rounds with the`,
    "capture (the default: tcpdump in the router's namespace, started after the lab is built,",
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
    row(["idle ETIMEDOUT measured - predicted, capture (ms)", ...s(c.error.on)]),
    row(["idle ETIMEDOUT measured - predicted, --packets off (ms)", ...s(c.error.off)]),
    "",
    `Wall time with the capture: ${fmt(c.ratio, 3)}x (target at most 1.05x); detection shift`,
    `${c.shiftMs >= 0 ? "+" : ""}${fmt(c.shiftMs, 2)} ms (median error with, minus without; target at most 2 ms):`,
    `${captureMet(c) ? "both met" : "**not met**"}. A run captured ${c.packets} packets (median).`,
    "The capture's cost is tcpdump's start (it must listen before the first SYN) and stop;",
    "the kernel copies each packet to it without delaying the packet.",
    "",
  ].join("\n");
}
