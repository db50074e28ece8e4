// src/faults: one file per fault (what happens on the wire, who can observe it, how it looks
// to the model, how it is injected with the lab's verbs) and this registry, one line each.
// Scenario files name a fault by its `name`. See CONTRIBUTING.md, "Adding a fault".
import { backlogFullAbort, backlogFullDrop } from "./backlog-full.js";
import { connectDeadHost } from "./connect-dead-host.js";
import { connectRefused } from "./connect-refused.js";
import { conntrackFlush } from "./conntrack-flush.js";
import { crashReboot } from "./crash-reboot.js";
import type { Fault, FaultContext, Injected } from "./fault.js";
import { halfClose } from "./half-close.js";
import { hostCrash } from "./host-crash.js";
import { lbIdleTimeout } from "./lb-idle-timeout.js";
import { middleboxReset } from "./middlebox-reset.js";
import { natIdleTimeout } from "./nat-idle-timeout.js";
import { partitionHeal } from "./partition-heal.js";
import { peerAbort } from "./peer-abort.js";
import { peerClose } from "./peer-close.js";
import { peerFreeze } from "./peer-freeze.js";
import { peerKill } from "./peer-kill.js";
import { serverRestart } from "./server-restart.js";
import { shutdown } from "./shutdown.js";
import { hostUnreachable, netUnreachable } from "./unreachable.js";
import { unreadClose } from "./unread-close.js";

export type { Fault, FaultParams, WireView } from "./fault.js";

export const FAULTS: readonly Fault[] = [
  peerClose,
  peerAbort,
  unreadClose,
  halfClose,
  peerKill,
  peerFreeze,
  hostCrash,
  crashReboot,
  shutdown,
  hostUnreachable,
  netUnreachable,
  partitionHeal,
  serverRestart,
  connectDeadHost,
  connectRefused,
  backlogFullDrop,
  backlogFullAbort,
  lbIdleTimeout,
  natIdleTimeout,
  middleboxReset,
  conntrackFlush,
];

export const FAULT_NAMES = FAULTS.map((f) => f.name) as [string, ...string[]];

/** The fault a (validated) scenario names. */
export function faultNamed(name: string): Fault {
  const fault = FAULTS.find((f) => f.name === name);
  if (!fault) throw new Error(`no fault named ${name}`);
  return fault;
}

/** Inject the fault; on a user's own server (--server-cmd), the way the fault says it strikes one. */
export function injectLabFault(
  fault: Fault,
  ctx: FaultContext,
  foreignServer: boolean,
): Promise<Injected> {
  const own = fault.foreignServer;
  if (foreignServer && typeof own === "object" && "inject" in own) return own.inject(ctx);
  return fault.inject(ctx);
}
