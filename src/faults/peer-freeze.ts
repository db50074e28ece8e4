// peer-freeze: the server process is SIGSTOPped: it hangs, but its kernel is alive. Data is
// ACKed (until the receive window fills) and keepalive probes are answered, so no TCP
// mechanism ever notices; only an application-level heartbeat does. The process stays
// stopped until the lab is torn down.
import { nowMs } from "../clock.js";
import { frozen } from "../predict/index.js";
import { type Fault, STAND_IN_TOOLS } from "./fault.js";

export const peerFreeze: Fault = {
  name: "freeze",
  observers: ["client"],
  serverMayDie: false,
  serverProcess: "real",
  tools: STAND_IN_TOOLS,
  foreignServer: "as-is",
  wire: () => frozen(),
  async inject({ lab }) {
    const at = nowMs();
    lab.signal("server", "SIGSTOP");
    return { at };
  },
  remote: {
    needs: "process",
    inject: async ({ hosts }) => ({ at: await hosts.signal("server", "SIGSTOP") }),
  },
};
