// Small text helpers shared by the diagram renderers.
import type { DiagramPrediction } from "./types.js";

/** "+1016.2 ms", "-253.0 ms". */
export function at(tMs: number): string {
  return `${tMs < 0 ? "-" : "+"}${Math.abs(tMs).toFixed(1)} ms`;
}

/** "1.23 s" or "850 ms". */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** "predicted ETIMEDOUT at +2791.0 ms · measured +2804.7 ms (+13.7 ms)". */
export function predictionText(p: DiagramPrediction): string {
  const predicted =
    p.tMs === null ? `predicted: never (${p.result})` : `predicted ${p.result} at ${at(p.tMs)}`;
  const measured =
    p.measuredMs === null
      ? "measured: nothing within the window"
      : `measured ${at(p.measuredMs)}${p.tMs === null ? "" : ` (${at(p.measuredMs - p.tMs).replace(" ms", "")} ms)`}`;
  return `${p.conn}: ${predicted} · ${measured}`;
}

/** "send OK" or "send OK ×50 (until +9966.1 ms)". */
export function callText(call: string, result: string, count: number, untilMs: number): string {
  return count > 1 ? `${call} ${result} ×${count} (until ${at(untilMs)})` : `${call} ${result}`;
}

/** Result class for colouring: ok, eof or error. */
export function resultClass(result: string): "ok" | "eof" | "error" {
  if (result === "OK") return "ok";
  if (result === "EOF") return "eof";
  return "error";
}
