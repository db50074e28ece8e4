// A silent peer: nothing comes back. A connection with unacknowledged data is decided by the
// retransmission timer (TCP_USER_TIMEOUT, else tcp_retries2); an idle one by keepalive, or
// never. The other wire effects (a reboot, an ICMP error, a heal) start from this outcome.
import type { KeepaliveSetting, KernelParams, Prediction } from "../types.js";
import {
  IDLE_NEVER_BASIS,
  keepaliveBasis,
  retries2Basis,
  round1,
  userTimeoutBasis,
} from "./basis.js";
import { simulateKeepalive } from "./keepalive.js";
import { retransmitGiveUpMs, retries2TimeoutMs } from "./retransmit.js";
import type { ModelInput } from "./wire.js";

/** The call an idle connection has pending: it is blocked reading. */
const IDLE_CALL = "recv";

/** What a silent peer leads to, plus the segments that could meet a rebooted host. */
export interface SilentOutcome {
  /** The prediction if the peer stays silent for good. */
  giveUp: Prediction;
  /** When segments go out before the give-up, and what they are called in a basis. */
  segments: number[];
  segmentName: "retransmission" | "keepalive probe";
}

/** Kernel default keepalive values stand in for any non-positive field of the setting. */
function effectiveKeepalive(ka: KeepaliveSetting, kernel: KernelParams): KeepaliveSetting {
  return {
    idle: ka.idle > 0 ? ka.idle : kernel.keepaliveTime,
    interval: ka.interval > 0 ? ka.interval : kernel.keepaliveIntvl,
    count: ka.count > 0 ? ka.count : kernel.keepaliveProbes,
  };
}

/** A connection with unacknowledged data: the retransmission timer decides. */
function silentWriter(firstUnackedSendMs: number, input: ModelInput): SilentOutcome {
  const { settings, facts, kernel } = input;
  const retries2 = settings.retries2 ?? kernel.retries2;
  const { userTimeoutMs } = settings;
  const outcome = retransmitGiveUpMs({
    firstUnackedSendMs,
    rtoMs: facts.rtoMs,
    srttMs: facts.srttMs,
    retries2,
    userTimeoutMs,
    hz: kernel.hz,
  });
  const basis =
    userTimeoutMs !== null
      ? userTimeoutBasis(userTimeoutMs)
      : retries2Basis(retries2, retries2TimeoutMs(retries2));
  return {
    // A writer may be blocked in send (buffer full) or in recv (waiting for a reply).
    giveUp: { call: null, result: "ETIMEDOUT", afterMs: round1(outcome.atMs), basis },
    // The original send, the tail loss probe, then the RTO retransmissions. The original send
    // counts too: if it went out after the reboot, it meets the RST itself.
    segments: [firstUnackedSendMs, ...outcome.retransmissions],
    segmentName: "retransmission",
  };
}

/** A connection with nothing in flight: keepalive decides, or nothing ever happens. */
function silentIdle({ settings, facts, kernel }: ModelInput): SilentOutcome {
  if (settings.keepalive === null) {
    return {
      giveUp: { call: null, result: null, afterMs: null, basis: IDLE_NEVER_BASIS },
      segments: [],
      segmentName: "keepalive probe",
    };
  }
  const ka = effectiveKeepalive(settings.keepalive, kernel);
  const outcome = simulateKeepalive({
    lastRecvMs: facts.lastRecvMs,
    ...ka,
    userTimeoutMs: settings.userTimeoutMs,
    hz: kernel.hz,
  });
  const basis = keepaliveBasis(ka, settings.userTimeoutMs);
  return {
    giveUp: { call: IDLE_CALL, result: "ETIMEDOUT", afterMs: round1(outcome.giveUpMs), basis },
    segments: outcome.probes,
    segmentName: "keepalive probe",
  };
}

export function silentOutcome(input: ModelInput): SilentOutcome {
  const unacked = input.facts.firstUnackedSendMs;
  return unacked !== null ? silentWriter(unacked, input) : silentIdle(input);
}
