// predict(): from how a fault shows on the wire and the socket's settings, when and how the
// client's kernel reports it. This is the DESIGN.md section 5 table turned into arithmetic;
// the tool prints it next to what the real kernel did, it never replaces a measurement.

import type {
  ConnectionFacts,
  KeepaliveSetting,
  KernelParams,
  Prediction,
  Settings,
  WireEffect,
} from "../types.js";
import {
  beforeRebootBasis,
  FIN_BASIS,
  IDLE_NEVER_BASIS,
  keepaliveBasis,
  RST_BASIS,
  rebootRstBasis,
  retries2Basis,
  round1,
  userTimeoutBasis,
} from "./basis.js";
import { simulateKeepalive } from "./keepalive.js";
import { retransmitGiveUpMs, retries2TimeoutMs } from "./retransmit.js";
import {
  connectTimeout,
  FROZEN_BASIS,
  healed,
  icmpUnreachable,
  REFUSED_BASIS,
} from "./unreachable.js";

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
function silentWriter(
  firstUnackedSendMs: number,
  settings: Settings,
  facts: ConnectionFacts,
  kernel: KernelParams,
): SilentOutcome {
  const retries2 = settings.retries2 ?? kernel.retries2;
  const { userTimeoutMs } = settings;
  const outcome = retransmitGiveUpMs({
    firstUnackedSendMs,
    rtoMs: facts.rtoMs,
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
function silentIdle(
  settings: Settings,
  facts: ConnectionFacts,
  kernel: KernelParams,
): SilentOutcome {
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

function silent(settings: Settings, facts: ConnectionFacts, kernel: KernelParams): SilentOutcome {
  return facts.firstUnackedSendMs !== null
    ? silentWriter(facts.firstUnackedSendMs, settings, facts, kernel)
    : silentIdle(settings, facts, kernel);
}

/**
 * The host came back at rebootAtMs with no TCP state: the first segment the client sends at or
 * after that meets a RST (the lab's round trip is negligible). If the client gives up first, or
 * never sends anything, the reboot changes nothing.
 */
function silentThenRst(outcome: SilentOutcome, rebootAtMs: number): Prediction {
  const { giveUp } = outcome;
  const hit = outcome.segments.find((t) => t >= rebootAtMs);
  if (hit === undefined) {
    if (giveUp.result === null) return giveUp;
    return { ...giveUp, basis: beforeRebootBasis(giveUp.basis, rebootAtMs) };
  }
  return {
    call: giveUp.call,
    result: "ECONNRESET",
    afterMs: round1(hit),
    basis: rebootRstBasis(outcome.segmentName, hit),
  };
}

/**
 * Predicts the first failure one client connection sees:
 * - FIN: recv returns 0 (EOF) when it arrives; RST: recv fails with ECONNRESET.
 * - silent: a writer (unacknowledged data) gets ETIMEDOUT when retransmissions give up
 *   (TCP_USER_TIMEOUT, else tcp_retries2); an idle socket gets ETIMEDOUT from keepalive,
 *   or never hears anything without it.
 * - silent-then-rst: as silent, except that the first segment sent at or after the reboot (the
 *   original send, the tail loss probe, a retransmission or a keepalive probe) is answered by
 *   a RST: ECONNRESET.
 * `afterMs` is ms after the fault, rounded to 0.1 ms.
 */
export function predict(
  wire: WireEffect,
  settings: Settings,
  facts: ConnectionFacts,
  kernel: KernelParams,
): Prediction {
  switch (wire.kind) {
    case "fin":
      return { call: "recv", result: "EOF", afterMs: round1(wire.atMs), basis: FIN_BASIS };
    case "rst":
      return { call: "recv", result: "ECONNRESET", afterMs: round1(wire.atMs), basis: RST_BASIS };
    case "silent":
      return silent(settings, facts, kernel).giveUp;
    case "silent-then-rst":
      return silentThenRst(silent(settings, facts, kernel), wire.rebootAtMs);
    case "icmp":
      return icmpUnreachable(
        silent(settings, facts, kernel),
        wire.errno,
        settings.recverr ?? false,
      );
    case "partition":
      return healed(silent(settings, facts, kernel).giveUp, wire.healAtMs);
    case "frozen":
      return { call: null, result: null, afterMs: null, basis: FROZEN_BASIS };
    case "connect-timeout":
      return connectTimeout(settings, kernel);
    case "connect-refused":
      return { call: "connect", result: "ECONNREFUSED", afterMs: 0, basis: REFUSED_BASIS };
  }
}
