// peer-abort: the server sets SO_LINGER {on, 0 s} and closes each connection. Its kernel
// throws away whatever was unsent and sends RST instead of FIN; the client's recv fails with
// ECONNRESET at once, and its next send with EPIPE.
import type { Fault } from "./fault.js";

export const peerAbort: Fault = {
  async inject({ lab }) {
    const reply = await lab.server.request("abort-all");
    return { at: reply.t as number };
  },
  wire: () => ({ kind: "rst", atMs: 0 }),
};
