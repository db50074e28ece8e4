// shutdown: the server is shut down the orderly way. Its process gets SIGTERM, closes its
// connections (FIN) and exits; then the host goes away. A process that ignores SIGTERM is
// SIGKILLed after the grace period, its kernel closes the sockets (FIN then), and the host
// goes away after it, so later client segments meet silence. The client's follow-up calls wait
// until the host is silent (holdsFollowUps), so they meet that silence on every run: the router
// drops what is sent to it (a blackhole route) before the host's link is cut (tens of ms: a
// link's deletion waits for RCU) and the host ended; the report's steps show both moments.
import { nowMs, sleep } from "../clock.js";
import { closedByServer } from "../predict/index.js";
import { type Fault, STAND_IN_TOOLS } from "./fault.js";

export const shutdown: Fault = {
  name: "shutdown",
  observers: ["client"],
  serverMayDie: true,
  serverProcess: "real",
  tools: STAND_IN_TOOLS,
  holdsFollowUps: true,
  foreignServer: "as-is",
  wire: ({ settings, workload }) =>
    closedByServer(settings.ignoreSigterm ? settings.graceMs : 0, workload),
  async inject({ lab, settings, note }) {
    const at = nowMs();
    lab.signal("server", "SIGTERM");
    let silent = () => {};
    const released = new Promise<void>((resolve) => {
      silent = resolve;
    });
    const rest = (async () => {
      if (settings.ignoreSigterm) {
        await sleep(Math.max(0, at + settings.graceMs - nowMs()));
        note(nowMs(), "grace period over: SIGKILL");
        lab.signal("server", "SIGKILL");
      }
      await lab.processExit("server");
      await lab.blackhole(["server"]);
      note(nowMs(), "server host is silent");
      silent();
      await lab.cutLink("server");
      await lab.killHost("server");
      note(nowMs(), "server host is gone");
    })();
    return { at, rest, released };
  },
  // Remote: the host "goes away" by falling silent to the test's connections (nftables).
  remote: {
    needs: "firewall",
    async inject({ hosts, settings, note }) {
      const at = await hosts.signal("server", "SIGTERM");
      const rest = (async () => {
        if (settings.ignoreSigterm) {
          await sleep(Math.max(0, at + settings.graceMs - nowMs()));
          note(nowMs(), "grace period over: SIGKILL");
          await hosts.signal("server", "SIGKILL");
        }
        await hosts.processExit("server");
        note(await hosts.silence(), "server host is gone (its packets are dropped)");
      })();
      return { at, rest };
    },
  },
};
