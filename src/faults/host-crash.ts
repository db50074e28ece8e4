// host-crash: the server host vanishes without a word (power loss, kernel panic). Nothing comes
// back: no FIN, no RST, no ICMP. An idle client only notices through keepalive; a writer's
// unacknowledged data is retransmitted until tcp_retries2 or TCP_USER_TIMEOUT gives up.
import { type Fault, nowMs } from "./fault.js";

export const hostCrash: Fault = {
  async inject({ lab }) {
    const at = nowMs();
    await lab.crashServer();
    return { at };
  },
  wire: () => ({ kind: "silent" }),
};
