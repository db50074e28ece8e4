// The fault catalogue: the names scenario files use in their `fault:` field.
import { crashReboot } from "./crash-reboot.js";
import type { Fault } from "./fault.js";
import { hostCrash } from "./host-crash.js";
import { peerClose } from "./peer-close.js";
import { peerKill } from "./peer-kill.js";
import { shutdown } from "./shutdown.js";

export interface FaultParams {
  rebootAfterMs: number;
}

export const FAULT_NAMES = ["close", "kill", "crash", "crash-reboot", "shutdown"] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export function makeFault(name: FaultName, params: FaultParams): Fault {
  switch (name) {
    case "close":
      return peerClose;
    case "kill":
      return peerKill;
    case "crash":
      return hostCrash;
    case "crash-reboot":
      return crashReboot(params.rebootAfterMs);
    case "shutdown":
      return shutdown;
  }
}
