// unread-close: the server stops reading, lets the writer's next messages pile up unread in its
// receive buffer, then close()s. A close with unread data is an abort (RFC 2525, RFC 1122
// 4.2.2.13): the kernel sends RST, not FIN. The writer sees ECONNRESET; the idle connection,
// with nothing unread, gets an ordinary FIN and reads EOF.
import { type Fault, sleep } from "./fault.js";

/** Long enough for the writer (every 200 ms) to send at least once more. */
const PILE_UP_MS = 300;

export const unreadClose: Fault = {
  async inject({ lab }) {
    await lab.server.request("pause-reads");
    await sleep(PILE_UP_MS);
    const reply = await lab.server.request("close-all");
    return { at: reply.t as number };
  },
  wire: (_settings, workload) =>
    workload === "idle" || workload === "poll" || workload === "tcp-info"
      ? { kind: "fin", atMs: 0 }
      : { kind: "rst", atMs: 0 },
};
