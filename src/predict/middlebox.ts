// A stateful middlebox (load balancer, NAT, firewall) between client and server: from its idle
// timeout or a flush of its table, the connection's own traffic and its socket settings, when
// the middlebox forgets the flow and what the client then sees. Pure arithmetic over the same
// timer models as the rest of src/predict; printed next to what the real kernel did.
//
// As measured in the lab (conntrack in the router's namespace, nf_conntrack_tcp_loose=0):
// - every segment through the middlebox, and the ACK that answers it, refreshes the flow's
//   timer; an entry found expired at lookup is gone, so the expiry is exact;
// - the first segment of a forgotten flow is INVALID: answered with RST ("rst": the client's
//   pending call fails ECONNRESET at once), or dropped ("drop": retransmissions into the void
//   until TCP_USER_TIMEOUT or tcp_retries2, or unanswered keepalive probes);
// - with loose pickup on ("pickup") conntrack adopts the flow mid-stream: nothing fails;
// - keepalive probes are segments too: a probe before the expiry keeps the flow alive, a probe
//   after it is the segment that meets the RST or the void.

import type { KeepaliveSetting, Prediction } from "../types.js";
import { round1 } from "./basis.js";
import { timerDelayMs } from "./jiffies.js";
import { simulateKeepalive } from "./keepalive.js";
import { retransmitGiveUpMs } from "./retransmit.js";

export type MiddleboxAnswer = "rst" | "drop" | "pickup";

export interface MiddleboxInput {
  /** What the middlebox does with a segment of a flow it has forgotten. */
  answer: MiddleboxAnswer;
  /** Idle timeout in seconds (conntrack's established timeout), or null: never on idle. */
  idleTimeoutS: number | null;
  /** When the middlebox's whole table is flushed (ms from t=0), or null. */
  flushAtMs: number | null;
  /** The flow's last segment through the middlebox before watching starts (ms from t=0). */
  lastActivityMs: number;
  /** When the connection sends data (ms from t=0), ascending; [] for an idle connection. */
  sendsMs: number[];
  /** What those sends are, in words ("data" when not given; a heartbeat's are pings). */
  sendName?: string;
  /** Keepalive with every field given (kernel defaults already filled in), or null. */
  keepalive: KeepaliveSetting | null;
  userTimeoutMs: number | null;
  retries2: number;
  /** tcpi_rto of the socket (ms). */
  rtoMs: number;
  hz: number;
}

export interface MiddleboxOutcome {
  prediction: Prediction;
  /** When the middlebox forgets the flow (ms from t=0), or null when it never does. */
  forgottenAtMs: number | null;
  /** What the first segment after that was, and when; null when nothing is sent. */
  firstSegment: { kind: "data" | "keepalive probe"; atMs: number } | null;
  /** Why, in words the user can act on; null when there is nothing to add. */
  hint: string | null;
}

/** Guard against a loop over thousands of answered probes (a flush hours away). */
const MAX_SEGMENTS = 100_000;

const never = (basis: string): Prediction => ({ call: null, result: null, afterMs: null, basis });

/** The keepalive idle (whole seconds) to suggest below an idle timeout: half, at least 1 s. */
export function suggestedKeepaliveIdleS(idleTimeoutS: number): number {
  return Math.max(1, Math.floor(idleTimeoutS / 2));
}

/** Does a keepalive probe (its first timer, as the wheel fires it) beat the idle timeout? */
export function keepaliveBeatsTimeout(ka: KeepaliveSetting, idleTimeoutS: number, hz: number) {
  return timerDelayMs(ka.idle * 1000, hz) < idleTimeoutS * 1000;
}

export function predictMiddlebox(input: MiddleboxInput): MiddleboxOutcome {
  const { idleTimeoutS, flushAtMs, keepalive, hz } = input;
  const probeDelayMs = keepalive ? timerDelayMs(keepalive.idle * 1000, hz) : Infinity;
  const timeoutMs = idleTimeoutS !== null ? idleTimeoutS * 1000 : Infinity;
  let lastMs = input.lastActivityMs;
  let sendIndex = 0;
  for (let n = 0; n < MAX_SEGMENTS; n++) {
    while (sendIndex < input.sendsMs.length && input.sendsMs[sendIndex] < lastMs) sendIndex++;
    const nextSendMs = input.sendsMs[sendIndex] ?? Infinity;
    const nextProbeMs = lastMs + probeDelayMs;
    const flushPending = flushAtMs !== null && flushAtMs >= lastMs;
    const forgetMs = Math.min(lastMs + timeoutMs, flushPending ? flushAtMs : Infinity);
    const segmentMs = Math.min(nextSendMs, nextProbeMs);
    const kind = nextSendMs <= nextProbeMs ? "data" : "keepalive probe";
    if (segmentMs < forgetMs) {
      // The segment and its ACK go through and refresh the flow (and the keepalive timer).
      if (nextSendMs === Infinity && !flushPending) return keptAlive(input);
      if (kind === "data") sendIndex++;
      lastMs = segmentMs;
      continue;
    }
    if (forgetMs === Infinity) return keptAlive(input);
    if (segmentMs === Infinity) return nothingSent(input, forgetMs);
    return afterForgetting(input, forgetMs, { kind, atMs: segmentMs }, lastMs);
  }
  return keptAlive(input);
}

function keptAlive(input: MiddleboxInput): MiddleboxOutcome {
  const { keepalive, idleTimeoutS } = input;
  const basis =
    keepalive && idleTimeoutS !== null && input.flushAtMs === null
      ? `keepalive ${keepalive.idle} s < idle timeout ${idleTimeoutS} s: the flow never expires`
      : "the connection's own traffic keeps the flow alive in the middlebox";
  const hint = basis.startsWith("keepalive") ? basis : null;
  return { prediction: never(basis), forgottenAtMs: null, firstSegment: null, hint };
}

function nothingSent(input: MiddleboxInput, forgetMs: number): MiddleboxOutcome {
  const last = input.sendsMs.at(-1);
  const quiet =
    last === undefined
      ? "an idle socket without keepalive sends nothing"
      : `nothing is sent after ${round1(last)} ms`;
  const basis = `the middlebox forgets the flow at ${round1(forgetMs)} ms, but ${quiet}, so neither end notices`;
  return {
    prediction: never(basis),
    forgottenAtMs: round1(forgetMs),
    firstSegment: null,
    hint: forgetHint(input),
  };
}

function afterForgetting(
  input: MiddleboxInput,
  forgetMs: number,
  segment: { kind: "data" | "keepalive probe"; atMs: number },
  lastMs: number,
): MiddleboxOutcome {
  const at = round1(segment.atMs);
  const what = segment.kind === "data" ? (input.sendName ?? "data") : segment.kind;
  const base = { forgottenAtMs: round1(forgetMs), firstSegment: { ...segment, atMs: at } };
  const forgot = input.flushAtMs !== null && forgetMs === input.flushAtMs ? "flushed" : "forgot";
  if (input.answer === "pickup") {
    const basis = `the middlebox ${forgot} the flow; loose pickup adopts the ${what} at ${at} ms mid-stream`;
    const hint = "nothing to fix: loose pickup adopts a forgotten flow from its next segment";
    return { ...base, prediction: never(basis), hint };
  }
  const call = segment.kind === "keepalive probe" ? "recv" : null;
  if (input.answer === "rst") {
    const basis = `the middlebox ${forgot} the flow at ${round1(forgetMs)} ms and answers the ${what} at ${at} ms with RST`;
    const prediction = { call, result: "ECONNRESET", afterMs: at, basis };
    return { ...base, prediction, hint: forgetHint(input) };
  }
  const giveUp = dropGiveUp(input, segment, lastMs);
  const basis = `the middlebox ${forgot} the flow at ${round1(forgetMs)} ms and drops the ${what} at ${at} ms; ${giveUp.how}`;
  const prediction = { call, result: "ETIMEDOUT", afterMs: round1(giveUp.atMs), basis };
  return { ...base, prediction, hint: forgetHint(input) };
}

/** Segments into the void: the retransmission timer, or keepalive until a send takes over. */
function dropGiveUp(
  input: MiddleboxInput,
  segment: { kind: string; atMs: number },
  lastMs: number,
): { atMs: number; how: string } {
  const { userTimeoutMs, retries2, rtoMs, hz, keepalive } = input;
  const retransmit = (fromMs: number) => ({
    atMs: retransmitGiveUpMs({ firstUnackedSendMs: fromMs, rtoMs, retries2, userTimeoutMs, hz })
      .atMs,
    how:
      userTimeoutMs !== null
        ? `TCP_USER_TIMEOUT ${userTimeoutMs} ms from the first retransmission`
        : `tcp_retries2=${retries2} from the first retransmission`,
  });
  if (segment.kind === "data" || keepalive === null) return retransmit(segment.atMs);
  const ka = simulateKeepalive({ lastRecvMs: lastMs, ...keepalive, userTimeoutMs, hz });
  const laterSend = input.sendsMs.find((t) => t > segment.atMs && t < ka.giveUpMs);
  if (laterSend !== undefined) return retransmit(laterSend);
  return { atMs: ka.giveUpMs, how: "keepalive probes go unanswered" };
}

/** The keepalive advice for a flow that an idle timeout forgets (null for a flush). */
function forgetHint(input: MiddleboxInput): string | null {
  const { idleTimeoutS, keepalive } = input;
  if (idleTimeoutS === null || (input.flushAtMs !== null && keepalive === null)) {
    return input.answer === "drop" && input.userTimeoutMs === null
      ? "segments into the void are retransmitted for ~15 min; try --user-timeout 3000"
      : null;
  }
  const suggest = `--keepalive ${suggestedKeepaliveIdleS(idleTimeoutS)},1,2`;
  if (keepalive === null)
    return `the middlebox forgets a flow idle for ${idleTimeoutS} s; keepalive below that keeps it alive: try ${suggest}`;
  return `keepalive ${keepalive.idle} s >= idle timeout ${idleTimeoutS} s: the flow expires before the first probe; try ${suggest}`;
}
