// crash-reboot: a silent host crash, then the host comes back at the same address after a
// delay, with no memory of any connection. The next segment that reaches it (a retransmission
// or a keepalive probe) is answered with RST, and the client sees ECONNRESET.
import { nowMs, sleep } from "../clock.js";
import { silentThenRst } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const crashReboot: Fault = {
  name: "crash-reboot",
  observers: ["client"],
  serverMayDie: true,
  foreignServer: "as-is",
  // When the host was really back (ms after the fault): predictions use it, not the plan.
  wire: ({ params, measured }) => silentThenRst(measured.backAfterMs ?? params.rebootAfterMs),
  async inject({ lab, params, measured, note }) {
    const at = nowMs();
    await lab.blackhole(["server"]);
    await lab.cutLink("server");
    await lab.killHost("server");
    const booting = lab.bootHost("server");
    const rest = (async () => {
      const booted = await booting;
      await sleep(Math.max(0, at + params.rebootAfterMs - nowMs()));
      await lab.plugIn(booted);
      await lab.blackhole(["server"], false);
      const back = nowMs();
      measured.backAfterMs = back - at;
      note(back, "server host is back, with no TCP state");
    })();
    return { at, rest };
  },
  // Remote: as host-crash (rules drop the test's packets both ways, the server process aborts
  // its sockets unheard and is killed); a new process listens, and the rules are lifted after
  // the delay, so the next segment meets the RST of a host that knows nothing of it.
  remote: {
    needs: "firewall",
    async inject({ hosts, params, measured, note }) {
      const at = await hosts.silence();
      await hosts.act("abort-all");
      await hosts.signal("server", "SIGKILL");
      await hosts.processExit("server");
      const rest = (async () => {
        await hosts.startProcess("server");
        await sleep(Math.max(0, at + params.rebootAfterMs - nowMs()));
        const back = await hosts.unsilence();
        measured.backAfterMs = back - at;
        note(back, "server host is back, with no TCP state");
      })();
      return { at, rest };
    },
  },
};
