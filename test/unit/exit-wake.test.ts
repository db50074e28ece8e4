// Waking at a child's exit (src/lab/exit-wake.ts): a pidfd watched by the shared epoll loop, so
// a process that lives long is not looked for every few ms. Real processes (sleep), no root.
import { describe, expect, it } from "vitest";
import { exitWake } from "../../src/lab/exit-wake.js";
import { posixSpawn, waitExit } from "../../src/lab/posix-spawn.js";

describe("exitWake", () => {
  it("wakes waitExit once, when the process exits, and gives back its exit code", async () => {
    const pid = await posixSpawn("sh", ["-c", "sleep 0.3; exit 7"], ["null", "null", "null"]);
    const wake = exitWake(pid);
    let pauses = 0;
    const pause = () => {
      pauses++;
      return wake.pause();
    };
    const end = await waitExit(pid, pause).finally(wake.close);
    expect(end).toEqual({ code: 7, signal: null });
    // looked for every 2 ms, 0.3 s would be ~150 looks; woken, one (two at most, were the
    // safety look due first)
    expect(pauses).toBeLessThanOrEqual(2);
  });

  it("sees a process killed by a signal", async () => {
    const pid = await posixSpawn("sleep", ["5"], ["null", "null", "null"]);
    const wake = exitWake(pid);
    setTimeout(() => process.kill(pid, "SIGKILL"), 50);
    const end = await waitExit(pid, wake.pause).finally(wake.close);
    expect(end).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("a process that has already exited is reaped without a wait", async () => {
    const pid = await posixSpawn("true", [], ["null", "null", "null"]);
    await new Promise((resolve) => setTimeout(resolve, 100)); // exited, not yet reaped
    const wake = exitWake(pid);
    const end = await waitExit(pid, wake.pause).finally(wake.close);
    expect(end.code).toBe(0);
  });
});
