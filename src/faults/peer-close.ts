// peer-close: the server process calls close() on each connection. Its kernel sends FIN; the
// client's recv returns 0 (EOF) at once. A later client send is accepted, the server's kernel
// answers it with RST (the socket is gone), and the send after that fails with EPIPE.
import { closedByServer } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const peerClose: Fault = {
  name: "close",
  observers: ["client"],
  serverMayDie: false,
  foreignServer: { refuse: "it needs the server's own close() on its connections" },
  wire: ({ workload }) => closedByServer(0, workload),
  inject: async ({ lab }) => ({ at: await lab.act("close-all") }),
  remote: { needs: "process", inject: async ({ hosts }) => ({ at: await hosts.act("close-all") }) },
};
