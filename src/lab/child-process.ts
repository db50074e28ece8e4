// node:child_process, loaded on first use. Only the paths that are not a root run's use it
// (re-running in a user namespace, probing one, doctor's checks); loading it brings net, dgram
// and their internals, a few ms of every start that a run as root would not use.
import { createRequire } from "node:module";

let loaded: typeof import("node:child_process") | undefined;

export function childProcess(): typeof import("node:child_process") {
  loaded ??= createRequire(import.meta.url)(
    "node:child_process",
  ) as typeof import("node:child_process");
  return loaded;
}
