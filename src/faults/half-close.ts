// half-close: the server calls shutdown(SHUT_WR) on each connection and keeps reading. Its
// kernel sends FIN: the client's recv returns 0 (EOF), but the connection is only half
// closed, so the client can go on sending and the server goes on reading and ACKing.
import { fin } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const halfClose: Fault = {
  name: "half-close",
  observers: ["client"],
  serverMayDie: false,
  foreignServer: { refuse: "it needs the server's own shutdown(SHUT_WR) on its connections" },
  wire: () => fin(0),
  inject: async ({ lab }) => ({ at: await lab.act("shutdown-all") }),
  remote: {
    needs: "process",
    inject: async ({ hosts }) => ({ at: await hosts.act("shutdown-all") }),
  },
};
