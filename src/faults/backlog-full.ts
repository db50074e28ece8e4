// backlog-full: the server process stops calling accept() and its listen queue fills (here
// with a backlog of 0, which the kernel counts full at one waiting connection, taken by another
// client first). A new client's SYN then finds the queue full, and the server's kernel drops
// it without a word: no SYN-ACK, no RST. The client retransmits the SYN until
// tcp_syn_retries is spent and connect() fails with ETIMEDOUT; it never gets to send.
// net.ipv4.tcp_abort_on_overflow=1 in the server's namespace (backlog-full-abort) changes
// nothing for these clients: a SYN that meets a full queue is dropped either way. The knob
// acts only on a handshake that completes while the queue is full (its SYN came while there
// was room, e.g. with TCP_DEFER_ACCEPT): that client's connect() and first send succeed, and
// the server answers the send with RST (recv: ECONNRESET) instead of dropping it.
import { connectTimeout } from "../predict/index.js";
import type { Fault } from "./fault.js";

const WHY = "the listen queue is full, so the server's kernel drops each SYN";

function backlogFull(abortOnOverflow: boolean): Fault {
  return {
    name: abortOnOverflow ? "backlog-full-abort" : "backlog-full",
    observers: ["client"],
    serverMayDie: false,
    foreignServer: { refuse: "it needs the server to stop calling accept()" },
    wire: () => connectTimeout(WHY),
    async inject({ lab }) {
      if (abortOnOverflow) {
        await lab.sysctl("server", { "net.ipv4.tcp_abort_on_overflow": "1" });
      }
      return { at: await lab.act("pause-accept", { backlog: 0 }) };
    },
  };
}

export const backlogFullDrop = backlogFull(false);
export const backlogFullAbort = backlogFull(true);
