// The one prediction pipeline, used by `run` (with what the run measured) and by `explain`
// (with typical facts): the fault's wire effect for this connection, the kernel model's
// answer, then that answer in the terms of the connection's workload and engine.
import { DEFAULT_HEARTBEAT } from "../defaults.js";
import type { Fault, FaultParams } from "../faults/index.js";
import { round1 } from "../predict/basis.js";
import { heartbeatBasis, heartbeatDead } from "../predict/heartbeat.js";
import { DEFAULT_ICMP_RATELIMIT_MS } from "../predict/icmp-ratelimit.js";
import { type ModelInput, predict, type WireEffect, warmWriterModes } from "../predict/index.js";
import type { ConnectionFacts, KernelParams, Prediction } from "../types.js";
import { sharedIcmpBudget } from "./icmp-budget.js";
import type { Watched } from "./watched.js";

export interface PredictionInput {
  fault: Fault;
  params: FaultParams;
  /** What the fault measured while it ran; empty when predicting ahead of a run. */
  measured: Record<string, number>;
  watched: Watched;
  /** Every connection of the run (this one included): they share the router's ICMP budget. */
  others?: Watched[];
  facts: ConnectionFacts;
  kernel: KernelParams;
}

export function predictConnection(input: PredictionInput): Prediction {
  const { fault, params, measured, watched: w, facts, kernel } = input;
  const wire = fault.wire({ settings: w.settings, workload: w.workload, params, measured });
  const base = predict(wire, w.settings, facts, kernel);
  const silentFromMs = peerSilentFromMs(wire, { settings: w.settings, facts, kernel });
  const pings = { startMs: facts.connectedMs ?? null, firstGapMs: facts.firstGapMs };
  const shown = inWorkloadTerms(base, w, pings, silentFromMs);
  return sharedIcmpBudget(shown, wire, kernel, w, input.others ?? []);
}

/**
 * What predictConnection will cost for this input worked out ahead, a slice at a time between
 * `pause()`s, while a run still watches: the ICMP writer's sampled modes.
 */
export function warmPrediction(
  input: PredictionInput,
  pause: () => Promise<void>,
  stopped: () => boolean,
): Promise<void> {
  return warmWriterModes(() => predictConnection(input), pause, stopped);
}

/**
 * The kernel's answer as this connection shows it: the node engine names calls after libuv's
 * syscalls (read, write); poll shows readiness bits; tcp-info a state; a heartbeat gives up on
 * its own clock when the peer stops answering, unless TCP reports something sooner.
 */
export function inWorkloadTerms(
  p: Prediction,
  w: Pick<Watched, "workload" | "settings">,
  /**
   * When the connection came up (its connect returned), ms from the fault: pings start then;
   * and from the first ping to the second (absent: the interval).
   */
  pings: { startMs: number | null; firstGapMs?: number },
  /** When the peer stops answering pings (ms from the fault), or null: it never does. */
  silentFromMs: number | null,
): Prediction {
  let out = p;
  const { startMs, firstGapMs } = pings;
  if (w.workload === "heartbeat" && startMs !== null && silentFromMs !== null) {
    const hb = w.settings.heartbeat ?? DEFAULT_HEARTBEAT;
    const input = { startMs, silentFromMs, firstGapMs, ...hb };
    const dead = heartbeatDead(input);
    if (p.afterMs === null || dead.deadMs < p.afterMs) {
      const basis = heartbeatBasis(input, dead);
      out = { call: "heartbeat", result: "DEAD", afterMs: round1(dead.deadMs), basis };
    }
  }
  // A connect that fails is the answer whatever the workload: no poll or TCP_INFO read follows.
  const afterConnect = out.call !== "connect";
  if (out.result !== null && afterConnect && w.workload === "poll") {
    const bits = out.result === "EOF" ? "POLLIN|POLLRDHUP" : "POLLIN|POLLRDHUP|POLLHUP|POLLERR";
    out = { ...out, call: "poll", result: bits };
  }
  if (out.result !== null && afterConnect && w.workload === "tcp-info") {
    out = { ...out, call: "tcp_info", result: out.result === "EOF" ? "CLOSE_WAIT" : "CLOSE" };
  }
  if (w.settings.engine === "node" && out.call !== null) {
    out = { ...out, call: out.call === "recv" ? "read" : out.call === "send" ? "write" : out.call };
  }
  return out;
}

/** A FIN or RST tells the peer at once: no silence. Otherwise the wire effect says, or t=0. */
function peerSilentFromMs(wire: WireEffect, input: ModelInput): number | null {
  if (wire.immediate) return null;
  return wire.silentFromMs ? wire.silentFromMs(input) : 0;
}

/** The kernel parameters of the observer's namespace, from its sysctls as read. */
export function kernelParams(
  sysctls: Record<string, string>,
  hz: number,
  router: Record<string, string> = {},
): KernelParams {
  const num = (key: string, fallback: number) => Number(sysctls[`net.ipv4.${key}`] ?? fallback);
  const icmp = router["net.ipv4.icmp_ratelimit"] ?? router["net.ipv6.icmp.ratelimit"];
  return {
    hz,
    retries2: num("tcp_retries2", 15),
    keepaliveTime: num("tcp_keepalive_time", 7200),
    keepaliveIntvl: num("tcp_keepalive_intvl", 75),
    keepaliveProbes: num("tcp_keepalive_probes", 9),
    synRetries: num("tcp_syn_retries", 6),
    // Absent on kernels before 6.5: SYN retransmissions then double from the first.
    synLinearTimeouts: num("tcp_syn_linear_timeouts", 0),
    // The kernel's default when the router was not read (explain without --icmp-ratelimit).
    icmpRatelimitMs: Number(icmp ?? DEFAULT_ICMP_RATELIMIT_MS),
  };
}
