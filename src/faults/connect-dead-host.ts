// connect-dead-host: the server host has crashed before the client connects. The SYN meets
// silence and is retransmitted, 1 s apart for the first tcp_syn_linear_timeouts + 1 times (4 on
// Linux 6.5+, 0 before), then doubling; connect() fails with ETIMEDOUT after tcp_syn_retries
// (--syn-retries) + tcp_syn_linear_timeouts retransmissions, or (2^(n+1) - 1) s after the first
// SYN, whichever is first (predict/syn-retries.ts). --syn-retries 3 here: SYNs at 0..5, 7, 11 s.
import { nowMs } from "../clock.js";
import { connectTimeout } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const connectDeadHost: Fault = {
  name: "connect-dead-host",
  observers: ["client"],
  serverMayDie: true,
  foreignServer: "as-is",
  wire: () => connectTimeout(),
  async inject({ lab }) {
    const at = nowMs();
    await lab.blackhole(["server"]);
    await lab.cutLink("server");
    await lab.killHost("server");
    return { at };
  },
};
