// How many labs a batch runs at once by default, and how many build at once. Most of a run is
// waiting for the kernel, so a batch runs all its labs at once, as far as the machine's memory
// and this process's descriptor limit allow; building a lab (namespaces, agents, capture) is
// what takes CPU, so only about one per core builds at a time.
import { readFileSync } from "node:fs";
import { availableParallelism, freemem } from "node:os";

/** The most labs at once, whatever the machine (--parallel's own limit). */
export const MAX_PARALLEL = 64;

/** What one lab holds: its agent processes in memory; pipes and sockets in this process. */
export const LAB_MEMORY_BYTES = 400 * 1024 * 1024;
export const LAB_DESCRIPTORS = 64;
/** Descriptors this process keeps for itself (stdio, the loader, the capture files...). */
const OWN_DESCRIPTORS = 128;

export interface Machine {
  /** Memory available for new processes (MemAvailable), in bytes. */
  freeBytes: number;
  /** This process's descriptor limit (soft RLIMIT_NOFILE). */
  descriptors: number;
}

export function thisMachine(): Machine {
  return { freeBytes: freemem(), descriptors: softFileLimit() };
}

/** RLIMIT_NOFILE's soft limit (Node raises it to the hard one as it starts). */
function softFileLimit(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
    return soft === undefined || soft === "unlimited" ? 1_048_576 : Number(soft);
  } catch {
    return 1024;
  }
}

/** Every job at once, as far as half the free memory and the descriptor limit allow. */
export function defaultParallel(jobs: number, machine: Machine = thisMachine()): number {
  const byMemory = Math.floor(machine.freeBytes / 2 / LAB_MEMORY_BYTES);
  const byDescriptors = Math.floor((machine.descriptors - OWN_DESCRIPTORS) / LAB_DESCRIPTORS);
  return Math.max(1, Math.min(jobs, MAX_PARALLEL, byMemory, byDescriptors));
}

/** Labs that may be building at once: one per core, at least two. */
export function startingAtOnce(): number {
  return Math.max(2, availableParallelism());
}
