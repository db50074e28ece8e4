// server-restart: the server process is killed (its kernel sends FIN on each connection, as
// in peer-kill) and a new process starts on the same host and port. The new process knows
// nothing of the old connections: the next segment from the client meets RST, and the
// client's next send fails with EPIPE. New connections would be accepted again.
import { type Fault, nowMs } from "./fault.js";

export const serverRestart: Fault = {
  async inject({ lab, note }) {
    const at = nowMs();
    await lab.signalServer("SIGKILL");
    const rest = (async () => {
      await lab.restartServerProcess();
      note(nowMs(), "a new server process listens on the same port");
    })();
    return { at, rest };
  },
  wire: () => ({ kind: "fin", atMs: 0 }),
};
