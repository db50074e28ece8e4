// peer-close: the server process calls close() on each connection. Its kernel sends FIN; the
// client's recv returns 0 (EOF) at once. A later client send is accepted, the server's kernel
// answers it with RST (the socket is gone), and the send after that fails with EPIPE.
import type { Fault } from "./fault.js";

export const peerClose: Fault = {
  async inject({ lab }) {
    const reply = await lab.server.request("close-all");
    return { at: reply.t as number };
  },
  wire: () => ({ kind: "fin", atMs: 0 }),
};
