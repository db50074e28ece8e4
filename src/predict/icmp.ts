// The peer host is gone and a router answers with ICMP host or network unreachable.
// It is a soft error (RFC 1122): the connection goes on until its timer gives up, and then
// reports the ICMP error instead of ETIMEDOUT. A writer's timeline (which segments the router
// answers, which answers revert the RTO backoff, and when IP_RECVERR reports one) is simulated
// in icmp-revert.ts with the router's per-host limiter (icmp-ratelimit.ts): the answers to the
// original sends arrive while send() owns the socket and stay soft. Keepalive probes are sent
// below the window, so their ICMP answers are dropped as out of window: an idle socket still
// gets ETIMEDOUT.
import type { Prediction } from "../types.js";
import { round1 } from "./basis.js";
import { icmpWriterBasis } from "./icmp-basis.js";
import { type IcmpMode, icmpWriterModes, icmpWriterModesSliced } from "./icmp-modes.js";
import { DEFAULT_ICMP_RATELIMIT_MS, routerIcmpLimiter } from "./icmp-ratelimit.js";
import { silentOutcome } from "./silent-outcome.js";
import type { ModelInput, WireEffect } from "./wire.js";

export function icmpUnreachable(errno: "EHOSTUNREACH" | "ENETUNREACH"): WireEffect {
  return { kind: "icmp", predict: (input) => softError(input, errno) };
}

export function softError(input: ModelInput, errno: string): Prediction {
  const { settings, facts, kernel } = input;
  const outcome = silentOutcome(input);
  const { giveUp } = outcome;
  if (giveUp.result === null) return giveUp;
  if (outcome.segmentName === "keepalive probe" || facts.firstUnackedSendMs === null) {
    return {
      ...giveUp,
      basis: `${giveUp.basis}; the ICMP answers to keepalive probes are ignored`,
    };
  }
  const ratelimitMs = kernel.icmpRatelimitMs ?? DEFAULT_ICMP_RATELIMIT_MS;
  const family = settings.ipv6 ? "ipv6" : "ipv4";
  const writer = {
    firstUnackedSendMs: facts.firstUnackedSendMs,
    sendIntervalMs: facts.sendIntervalMs ?? Number.POSITIVE_INFINITY,
    rtoMs: facts.rtoMs,
    retries2: settings.retries2 ?? kernel.retries2,
    userTimeoutMs: settings.userTimeoutMs,
    recverr: settings.recverr ?? false,
    hz: kernel.hz,
  };
  const router = { family, ratelimitMs, hz: kernel.hz } as const;
  const [likely, other] = writerModes(writer, router);
  const basis = icmpWriterBasis(likely.example, giveUp.basis, errno, ratelimitMs);
  const jittered = sendJitterEnding(writer, router, likely);
  return {
    call: giveUp.call,
    result: errno,
    afterMs: round1(likely.atMs),
    basis: other && other.share >= MENTION_SHARE ? `${basis}${otherModeWords(other)}` : basis,
    ...(jittered === null
      ? {}
      : {
          uncertain:
            `the writer's sends are ${writer.sendIntervalMs} ms apart, and a send ${SEND_JITTER_MS} ms ` +
            "earlier or later (as a loaded machine schedules them) changes which segments reach the " +
            `router first and which answers its limiter lets through: it then ends at ~${round1(jittered)} ms`,
        }),
  };
}

type Writer = Parameters<typeof icmpWriterModes>[0];
type Router = Parameters<typeof routerIcmpLimiter>[0];

/**
 * The writer's ways to end: 200 seeded simulations, so the same for the same writer and router.
 * A batch predicts many runs alike (`run all` orders its runs by their predicted length before
 * any lab starts), so each is simulated once per process (at most MODES_KEPT kept).
 */
const modesSeen = new Map<string, IcmpMode[]>();
const MODES_KEPT = 256;

function writerModes(writer: Writer, router: Router): IcmpMode[] {
  const key = JSON.stringify([writer, router]);
  const seen = modesSeen.get(key);
  if (seen) return seen;
  if (warming) throw new ModesNotReady(key, writer, router);
  const modes = icmpWriterModes(writer, () => routerIcmpLimiter(router));
  keepModes(key, modes);
  return modes;
}

function keepModes(key: string, modes: IcmpMode[]): void {
  if (modesSeen.size >= MODES_KEPT) modesSeen.clear();
  modesSeen.set(key, modes);
}

/** While warming, writerModes stops the prediction at modes not yet worked out. */
let warming = false;

class ModesNotReady {
  constructor(
    readonly key: string,
    readonly writer: Writer,
    readonly router: Router,
  ) {}
}

/** A prediction asks for at most three writers' modes (its own, and the send jitter's two). */
const MAX_WARM_ROUNDS = 4;

/**
 * Works out ahead, a few samples at a time with `pause()` between them, the writer's modes that
 * `predictOnce` (a connection's prediction, to be made again for its report) will ask for, so
 * that the report then finds them. The prediction itself says which: it is run with the
 * unknown modes stopping it (ModesNotReady), the modes it stopped at are worked out, and it is
 * run again, until it runs through (at most MAX_WARM_ROUNDS times; each run is cheap without
 * the sampling). Ends early once `stopped()` says so.
 */
export async function warmWriterModes(
  predictOnce: () => unknown,
  pause: () => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  for (let round = 0; round < MAX_WARM_ROUNDS && !stopped(); round++) {
    const missing = modesMissing(predictOnce);
    if (!missing) return;
    const { key, writer, router } = missing;
    const limiter = () => routerIcmpLimiter(router);
    const modes = await icmpWriterModesSliced(writer, limiter, pause, stopped);
    if (modes) keepModes(key, modes);
  }
}

function modesMissing(predictOnce: () => unknown): ModesNotReady | null {
  warming = true;
  try {
    predictOnce();
    return null;
  } catch (err) {
    if (err instanceof ModesNotReady) return err;
    throw err;
  } finally {
    warming = false;
  }
}

/** How far apart a writer's sends drift from their rhythm on a loaded machine (measured ~8 ms). */
const SEND_JITTER_MS = 10;

/**
 * The writer's sends race its own timers (the tail loss probe fires ~208 ms after the first
 * unacknowledged send, the next send comes 200 ms after it): where a send a few ms earlier or
 * later ends the run elsewhere, that ending (ms), else null.
 */
function sendJitterEnding(writer: Writer, router: Router, likely: IcmpMode): number | null {
  if (!Number.isFinite(writer.sendIntervalMs)) return null;
  for (const shift of [-SEND_JITTER_MS, SEND_JITTER_MS]) {
    const sendIntervalMs = writer.sendIntervalMs + shift;
    const [mode] = writerModes({ ...writer, sendIntervalMs }, router);
    if (Math.abs(mode.atMs - likely.atMs) > likely.atMs * 0.1) return mode.atMs;
  }
  return null;
}

/** A second way to end is worth a word when at least this share of the samples take it. */
const MENTION_SHARE = 0.05;

function otherModeWords(mode: IcmpMode): string {
  return (
    `; the limiter decides by a few jiffies of timer-wheel rounding: in ~${Math.round(mode.share * 100)} % of runs ` +
    `it ends at ~${round1(mode.atMs)} ms instead`
  );
}
