// peer-kill: the server process is SIGKILLed. Its kernel closes every socket the process held
// and sends FIN (RST instead where unread data was left), exactly like a close(); the host and
// its kernel stay up and answer later segments with RST.
import { type Fault, nowMs } from "./fault.js";

export const peerKill: Fault = {
  async inject({ lab }) {
    const at = nowMs();
    await lab.signalServer("SIGKILL");
    return { at };
  },
  wire: () => ({ kind: "fin", atMs: 0 }),
};
