// half-close: the server calls shutdown(SHUT_WR) on each connection and keeps reading. Its
// kernel sends FIN: the client's recv returns 0 (EOF), but the connection is only half
// closed, so the client can go on sending and the server goes on reading and ACKing.
import type { Fault } from "./fault.js";

export const halfClose: Fault = {
  async inject({ lab }) {
    const reply = await lab.server.request("shutdown-all");
    return { at: reply.t as number };
  },
  wire: () => ({ kind: "fin", atMs: 0 }),
};
