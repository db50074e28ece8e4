// The processes of a traced program, found from outside: every descendant of strace that strace
// traces (TracerPid in /proc/PID/status). That is the program's first process, its children,
// and daemons that double-forked (reparented to strace, the init of the program's PID
// namespace), but not strace's own output process (cat, untraced).
import { readdirSync, readFileSync } from "node:fs";

/** The direct children of a process (all its threads'). */
export function childrenOf(pid: number): number[] {
  const found: number[] = [];
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const task of tasks) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text) found.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread is gone
    }
  }
  return found;
}

function tracerOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/^TracerPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
  } catch {
    return null;
  }
}

/** Every process under `stracePid` that it traces. */
export function tracees(stracePid: number): number[] {
  const found: number[] = [];
  const queue = childrenOf(stracePid);
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    if (tracerOf(pid) === stracePid) found.push(pid);
    queue.push(...childrenOf(pid));
  }
  return found;
}
