// connect-dead-host: the server host has crashed before the client connects. The SYN meets
// silence and is retransmitted (1 s, then doubling) until tcp_syn_retries (--syn-retries) is
// spent; connect() then fails with ETIMEDOUT.
// connect-refused: the server host is alive but nothing listens on the port: its kernel
// answers the SYN with RST, and connect() fails with ECONNREFUSED at once.
import { type Fault, nowMs } from "./fault.js";

export const connectDeadHost: Fault = {
  async inject({ lab }) {
    const at = nowMs();
    await lab.crashServer();
    return { at };
  },
  wire: () => ({ kind: "connect-timeout" }),
};

export const connectRefused: Fault = {
  async inject({ lab }) {
    const reply = await lab.server.request("unlisten");
    return { at: reply.t as number };
  },
  wire: () => ({ kind: "connect-refused" }),
};
