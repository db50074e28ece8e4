// connect-dead-host: the server host has crashed before the client connects. The SYN meets
// silence and is retransmitted (1 s, then doubling) until tcp_syn_retries (--syn-retries) is
// spent; connect() then fails with ETIMEDOUT.
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
