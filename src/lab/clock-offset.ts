// Another machine's CLOCK_MONOTONIC starts at its own boot: to put its times on the runner's
// clock, ask it the time a few times and keep the answer with the shortest round trip
// (Cristian's algorithm). The error is at most half that round trip.
import { nowMs } from "../clock.js";
import type { Reply } from "../protocol.js";

const SAMPLES = 5;

/** Ask the agent its clock: its snapshot reply, times as it sent them. */
type AskTime = () => Promise<Reply<"snapshot">>;

/** The agent's clock minus the runner's, in ms. */
export async function measureOffset(ask: AskTime): Promise<number> {
  let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
  for (let i = 0; i < SAMPLES; i++) {
    const sent = nowMs();
    const { t } = await ask();
    const back = nowMs();
    if (back - sent < best.rtt) best = { rtt: back - sent, offset: t - (sent + back) / 2 };
  }
  return best.offset;
}
