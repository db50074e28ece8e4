// peer-freeze: the server process is SIGSTOPped: it hangs, but its kernel is alive. Data is
// ACKed (until the receive window fills) and keepalive probes are answered, so no TCP
// mechanism ever notices; only an application-level heartbeat does. The process stays
// stopped until the lab is torn down.
import { type Fault, nowMs } from "./fault.js";

export const peerFreeze: Fault = {
  async inject({ lab }) {
    const at = nowMs();
    lab.server.kill("SIGSTOP");
    return { at };
  },
  wire: () => ({ kind: "frozen" }),
};
