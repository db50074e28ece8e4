// server-restart: the server process is killed (its kernel sends FIN on each connection, as
// in peer-kill) and a new process starts on the same host and port. The new process knows
// nothing of the old connections: the next segment from the client meets RST, and the
// client's next send fails with EPIPE. New connections would be accepted again.
import { nowMs } from "../clock.js";
import { closedByServer } from "../predict/index.js";
import { type Fault, STAND_IN_TOOLS } from "./fault.js";

export const serverRestart: Fault = {
  name: "restart",
  observers: ["client"],
  serverMayDie: true,
  serverProcess: "real",
  tools: STAND_IN_TOOLS,
  foreignServer: "as-is",
  wire: ({ workload }) => closedByServer(0, workload),
  async inject({ lab, note }) {
    const at = nowMs();
    lab.signal("server", "SIGKILL");
    await lab.processExit("server");
    const rest = (async () => {
      await lab.startProcess("server");
      note(nowMs(), "a new server process listens on the same port");
    })();
    return { at, rest };
  },
  remote: {
    needs: "process",
    async inject({ hosts, note }) {
      const at = await hosts.signal("server", "SIGKILL");
      await hosts.processExit("server");
      const rest = (async () => {
        await hosts.startProcess("server");
        note(nowMs(), "a new server process listens on the same port");
      })();
      return { at, rest };
    },
  },
};
