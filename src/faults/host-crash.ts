// host-crash: the server host vanishes without a word (power loss, kernel panic). Nothing comes
// back: no FIN, no RST, no ICMP. An idle client only notices through keepalive; a writer's
// unacknowledged data is retransmitted until tcp_retries2 or TCP_USER_TIMEOUT gives up.
// With the server as the observer (--observer server, client-crash) it is the client host
// that vanishes, and the server's sockets are the ones left waiting.
import { nowMs } from "../clock.js";
import { silent } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const hostCrash: Fault = {
  name: "crash",
  observers: ["client", "server"],
  serverMayDie: true,
  foreignServer: "as-is",
  wire: () => silent(),
  async inject({ lab, settings }) {
    const at = nowMs();
    // The router drops what is addressed to the host first (a blackhole host route, more
    // specific than the connected subnet, so no ICMP), then its link goes, then the host.
    const victim = settings.observer === "server" ? "client" : "server";
    await lab.blackhole([victim]);
    await lab.cutLink(victim);
    await lab.killHost(victim);
    return { at };
  },
  // Remote: nftables rules on the server host drop the test's packets both ways (t=0 when they
  // hold); the server process then aborts its sockets (its RSTs are dropped too, and the host
  // keeps no state of them) and is killed.
  remote: {
    needs: "firewall",
    async inject({ hosts }) {
      const at = await hosts.silence();
      await hosts.act("abort-all");
      await hosts.signal("server", "SIGKILL");
      await hosts.processExit("server");
      return { at };
    },
  },
};
