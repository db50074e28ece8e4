// peer-abort: the server sets SO_LINGER {on, 0 s} and closes each connection. Its kernel
// throws away whatever was unsent and sends RST instead of FIN; the client's recv fails with
// ECONNRESET at once, and its next send with EPIPE. On a user's server (--server-cmd) the
// same RST comes from outside the process: the kernel destroys each connection (SOCK_DESTROY,
// as `ss -K` does) and the server's own next call on it fails ECONNABORTED.
import { rst } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const peerAbort: Fault = {
  name: "abort",
  observers: ["client"],
  serverMayDie: false,
  foreignServer: { inject: async ({ lab }) => ({ at: await lab.destroySockets("server") }) },
  wire: () => rst(0),
  inject: async ({ lab }) => ({ at: await lab.act("abort-all") }),
  remote: { needs: "process", inject: async ({ hosts }) => ({ at: await hosts.act("abort-all") }) },
};
