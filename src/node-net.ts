// node:net, loaded on first use. A run's start does not need it: its sockets are the kernel's
// own through koffi. It comes with Node's stream modules (a few ms of its own code), and the first
// to need it is the packet capture's pipes, started while the lab is being wired and tcpdrop
// waits on `ip` anyway; the node engine and the stand-in server need it too.
import { createRequire } from "node:module";

let loaded: typeof import("node:net") | undefined;

export function nodeNet(): typeof import("node:net") {
  loaded ??= createRequire(import.meta.url)("node:net") as typeof import("node:net");
  return loaded;
}
