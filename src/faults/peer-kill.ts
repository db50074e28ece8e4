// peer-kill: the server process is SIGKILLed. Its kernel closes every socket the process held
// and sends FIN (RST instead where unread data was left), exactly like a close(); the host and
// its kernel stay up and answer later segments with RST.
import { nowMs } from "../clock.js";
import { closedByServer } from "../predict/index.js";
import { type Fault, STAND_IN_TOOLS } from "./fault.js";

export const peerKill: Fault = {
  name: "kill",
  observers: ["client"],
  serverMayDie: true,
  serverProcess: "real",
  tools: STAND_IN_TOOLS,
  foreignServer: "as-is",
  wire: ({ workload }) => closedByServer(0, workload),
  async inject({ lab }) {
    const at = nowMs();
    lab.signal("server", "SIGKILL");
    await lab.processExit("server");
    return { at };
  },
  remote: {
    needs: "process",
    async inject({ hosts }) {
      const at = await hosts.signal("server", "SIGKILL");
      await hosts.processExit("server");
      return { at };
    },
  },
};
