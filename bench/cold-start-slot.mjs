// The slot for issue 15's cold-start target: the CLI's start for `run` within 40 ms of `node -e 0`.
// Another helper writes bench/cold-start.mjs; when that file exists the bench imports it, calls its
// measurement and shows the result in the targets table, otherwise the row says it is not there.
// The lead connects the two: this file only tries the likely shapes (a `coldStart` export or the
// default export, called with the bench's plan; a result that carries `row`, four cells, or
// `deltaMs`), and otherwise shows the file as present but not connected.
import { existsSync } from "node:fs";
import { ROOT } from "./lib.mjs";

export const COLD_START_FILE = `${ROOT}bench/cold-start.mjs`;
export const COLD_START_TARGET_MS = 40;

export async function coldStartSlot(plan) {
  if (!existsSync(COLD_START_FILE)) return { present: false };
  const mod = await import(COLD_START_FILE);
  const measure = mod.coldStart ?? mod.default;
  if (typeof measure !== "function") return { present: true, connected: false };
  return { present: true, connected: true, result: await measure(plan) };
}

/** The targets table's row for the slot: [what, figure, target, verdict]. */
export function coldStartRow(slot) {
  const what = "CLI cold start for `run`";
  const target = `within ${COLD_START_TARGET_MS} ms of \`node -e 0\``;
  if (!slot?.present)
    return [what, "not measured: bench/cold-start.mjs is not there yet", target, ""];
  const r = slot.result;
  if (Array.isArray(r?.row) && r.row.length === 4) return r.row;
  if (Number.isFinite(r?.deltaMs)) {
    const met = r.deltaMs <= COLD_START_TARGET_MS;
    return [what, `+${r.deltaMs.toFixed(1)} ms`, target, met ? "**met**" : "**not met**"];
  }
  return [what, "bench/cold-start.mjs is there, not connected to this table yet", target, ""];
}
