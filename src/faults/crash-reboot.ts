// crash-reboot: a silent host crash, then the host comes back at the same address after a
// delay, with no memory of any connection. The next segment that reaches it (a retransmission
// or a keepalive probe) is answered with RST, and the client sees ECONNRESET.
import { type Fault, nowMs, sleep } from "./fault.js";

export function crashReboot(rebootAfterMs: number): Fault {
  // When the host was really back (ms after the fault): predictions use it, not the plan.
  let backAfterMs: number | null = null;
  return {
    async inject({ lab, note }) {
      const at = nowMs();
      await lab.crashServer();
      const booting = lab.bootServer();
      const rest = (async () => {
        const booted = await booting;
        await sleep(Math.max(0, at + rebootAfterMs - nowMs()));
        await lab.rebootServer(booted);
        const back = nowMs();
        backAfterMs = back - at;
        note(back, "server host is back, with no TCP state");
      })();
      return { at, rest };
    },
    wire: () => ({ kind: "silent-then-rst", rebootAtMs: backAfterMs ?? rebootAfterMs }),
  };
}
