// The fault catalogue: the names scenario files use in their `fault:` field.
import type { Scenario } from "../scenario/load.js";
import type { Settings } from "../types.js";
import { connectDeadHost, connectRefused } from "./connect-faults.js";
import { crashReboot } from "./crash-reboot.js";
import type { Fault } from "./fault.js";
import { halfClose } from "./half-close.js";
import { hostCrash } from "./host-crash.js";
import { partitionHeal } from "./partition-heal.js";
import { peerAbort } from "./peer-abort.js";
import { peerClose } from "./peer-close.js";
import { peerFreeze } from "./peer-freeze.js";
import { peerKill } from "./peer-kill.js";
import { serverRestart } from "./server-restart.js";
import { shutdown } from "./shutdown.js";
import { unreachable } from "./unreachable.js";
import { unreadClose } from "./unread-close.js";

export const FAULT_NAMES = [
  "close",
  "abort",
  "unread-close",
  "half-close",
  "kill",
  "freeze",
  "crash",
  "crash-reboot",
  "shutdown",
  "host-unreachable",
  "net-unreachable",
  "partition",
  "restart",
  "connect-dead-host",
  "connect-refused",
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function makeFault(
  name: FaultName,
  scenario: Pick<Scenario, "rebootAfterMs">,
  _settings?: Settings,
): Fault {
  const faults: Record<FaultName, () => Fault> = {
    close: () => peerClose,
    abort: () => peerAbort,
    "unread-close": () => unreadClose,
    "half-close": () => halfClose,
    kill: () => peerKill,
    freeze: () => peerFreeze,
    crash: () => hostCrash,
    "crash-reboot": () => crashReboot(scenario.rebootAfterMs),
    shutdown: () => shutdown,
    "host-unreachable": () => unreachable("host"),
    "net-unreachable": () => unreachable("net"),
    partition: () => partitionHeal,
    restart: () => serverRestart,
    "connect-dead-host": () => connectDeadHost,
    "connect-refused": () => connectRefused,
  };
  return faults[name]();
}
