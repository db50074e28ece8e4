// The report's predictions, readied while the run still watches. One of them is costly: a writer
// behind an ICMP unreachable is predicted from 600 sampled runs of its timers and the router's
// limiter. Made after the window, that time came after the last failure, on every
// host-unreachable and net-unreachable run. A prediction's inputs are final once the
// connection has made its first send after the fault (or at once, if it does not send): from
// then on it is worked out here, a few samples at a time between turns of the event loop, and
// the report finds it done. The report still makes every prediction itself, from the same
// input: what is readied here is only ever a cached result for an identical input.
import { sends, type Watched, warmPrediction } from "../plan/index.js";
import type { KernelParams, SocketEvent } from "../types.js";
import { ConnectionTimelines } from "./collect.js";
import { firstSendAfterFault } from "./facts.js";
import { predictionInput, type RunRecord, reportKernel } from "./report.js";

/** Beyond this many watched connections (a run at scale) nothing is readied ahead. */
const MAX_WARMED = 16;

type WarmRecord = Pick<
  RunRecord,
  | "settings"
  | "snapshot"
  | "faultAt"
  | "fault"
  | "scenario"
  | "measured"
  | "watched"
  | "raw"
  | "sysctls"
  | "hz"
  | "routerSysctls"
>;

/** A turn of the event loop: what came in (a call's result, a packet) is handled first. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class PredictionWarmer {
  private readonly begun = new Set<string>();
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly kernel: KernelParams;

  constructor(private readonly r: WarmRecord) {
    this.kernel = reportKernel(r);
  }

  /** Begin each watched connection whose prediction's inputs are now final. */
  tick(): void {
    if (this.stopped || this.r.watched.length > MAX_WARMED) return;
    const pending = this.r.watched.filter((w) => !this.begun.has(w.id));
    if (pending.length === 0) return;
    const ids = pending.map((w) => w.id);
    const timelines = new ConnectionTimelines(this.r.raw, this.r.faultAt, ids);
    for (const w of pending) {
      const events = timelines.events(w.id);
      if (!inputsFinal(w, events, this.r.settings.observer ?? "client")) continue;
      this.begun.add(w.id);
      const input = predictionInput(this.r, this.kernel, w, events);
      this.chain = this.chain
        .then(() => warmPrediction(input, nextTurn, () => this.stopped))
        // a prediction that fails fails again in the report, which says why
        .catch(() => {});
    }
  }

  /** Resolves once what was begun is readied (or stopped). */
  done(): Promise<void> {
    return this.chain;
  }

  stop(): void {
    this.stopped = true;
  }
}

/** A sender's first send after the fault is an input (the first unacknowledged send). */
function inputsFinal(w: Watched, events: SocketEvent[], side: SocketEvent["side"]): boolean {
  return !sends(w.workload) || firstSendAfterFault(events, side) !== undefined;
}
