// unread-close: the server stops reading, lets the writer's next messages pile up unread in its
// receive buffer, then close()s. A close with unread data is an abort (RFC 2525, RFC 1122
// 4.2.2.13): the kernel sends RST, not FIN. The writer sees ECONNRESET; the idle connection,
// with nothing unread, gets an ordinary FIN and reads EOF.
import { DEFAULT_HEARTBEAT } from "../defaults.js";
import { fin, rst } from "../predict/index.js";
import type { Settings } from "../types.js";
import type { Fault } from "./fault.js";

/**
 * At most this long for every sending connection to send once more after reads stop: the
 * writer every 200 ms, a heartbeat every --heartbeat interval (500 ms by default).
 */
const pileUpMs = (settings: Settings) =>
  Math.max(300, (settings.heartbeat ?? DEFAULT_HEARTBEAT).intervalMs + 100);
/** Workloads that never send: nothing of theirs is left unread. */
const SILENT_WORKLOADS = ["idle", "poll", "tcp-info"];

export const unreadClose: Fault = {
  name: "unread-close",
  observers: ["client"],
  serverMayDie: false,
  waitsForSends: true,
  foreignServer: { refuse: "it needs the server to stop reading and then close() its connections" },
  wire: ({ workload }) => (SILENT_WORKLOADS.includes(workload) ? fin(0) : rst(0)),
  async inject({ lab, settings, unreadData }) {
    await lab.act("pause-reads");
    await unreadData(pileUpMs(settings));
    return { at: await lab.act("close-all") };
  },
  remote: {
    needs: "process",
    async inject({ hosts, settings, unreadData }) {
      await hosts.act("pause-reads");
      await unreadData(pileUpMs(settings));
      return { at: await hosts.act("close-all") };
    },
  },
};
