// host-crash: the server host vanishes without a word (power loss, kernel panic). Nothing comes
// back: no FIN, no RST, no ICMP. An idle client only notices through keepalive; a writer's
// unacknowledged data is retransmitted until tcp_retries2 or TCP_USER_TIMEOUT gives up.
// With the server as the observer (--observer server, client-crash) it is the client host
// that vanishes, and the server's sockets are the ones left waiting.
import { type Fault, nowMs } from "./fault.js";

export const hostCrash: Fault = {
  async inject({ lab, settings }) {
    const at = nowMs();
    if (settings.observer === "server") await lab.crashClient();
    else await lab.crashServer();
    return { at };
  },
  wire: () => ({ kind: "silent" }),
};
