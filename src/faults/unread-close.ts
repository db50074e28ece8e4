// unread-close: before the clients connect, the server is set to read only the first byte of
// what each connection sends, and then no more; the writer's first message arrives with its
// connect, and four of its five bytes stay unread in the server's receive buffer (a server that
// reads a request's first bytes and closes before the body). At t=0 the server close()s. A
// close with unread data is an abort (RFC 2525, RFC 1122 4.2.2.13): the kernel sends RST, not
// FIN. The writer sees ECONNRESET; the idle connection, with nothing unread, gets an ordinary
// FIN and reads EOF. Between real hosts (remote mode) the server stops reading at the fault
// instead, and the writer's next messages pile up unread.
import { DEFAULT_HEARTBEAT } from "../defaults.js";
import { fin, rst } from "../predict/index.js";
import type { Settings } from "../types.js";
import type { Fault } from "./fault.js";

/**
 * At most this long for every sending connection's data to be waiting unread: in the lab the
 * first messages (at the connect); between real hosts, the ones after reads stop: the writer's
 * every 200 ms, a heartbeat's every --heartbeat interval (500 ms by default).
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
  readsHeads: true,
  foreignServer: { refuse: "it needs the server to stop reading and then close() its connections" },
  wire: ({ workload }) => (SILENT_WORKLOADS.includes(workload) ? fin(0) : rst(0)),
  async prepare({ lab }) {
    await lab.act("read-heads");
  },
  async inject({ lab, settings, unreadData }) {
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
