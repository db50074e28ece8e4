// Every agent process the tool started, by PID, so that an interrupted run can end exactly
// its own processes (never by name). The kernel reclaims their namespaces when they die.
const live = new Set<number>();

export function remember(pid: number): void {
  live.add(pid);
}

export function forget(pid: number): void {
  live.delete(pid);
}

/** SIGKILL every agent still alive. Synchronous, so it is safe in a signal handler. */
export function killAllAgents(): void {
  for (const pid of live) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
}
