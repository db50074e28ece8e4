// shutdown: the server is shut down the orderly way. Its process gets SIGTERM, closes its
// connections (FIN) and exits; then the host goes away. A process that ignores SIGTERM is
// SIGKILLed after the grace period, its kernel closes the sockets (FIN then), and the host
// goes away after it, so later client segments meet silence.
import { type Fault, nowMs, sleep } from "./fault.js";

export const shutdown: Fault = {
  async inject({ lab, settings, note }) {
    const at = nowMs();
    lab.server.kill("SIGTERM");
    const rest = (async () => {
      if (settings.ignoreSigterm) {
        await sleep(Math.max(0, at + settings.graceMs - nowMs()));
        note(nowMs(), "grace period over: SIGKILL");
        await lab.signalServer("SIGKILL");
      } else {
        await lab.server.exited;
      }
      await lab.crashServer();
      note(nowMs(), "server host is gone");
    })();
    return { at, rest };
  },
  wire: (settings) => ({ kind: "fin", atMs: settings.ignoreSigterm ? settings.graceMs : 0 }),
};
