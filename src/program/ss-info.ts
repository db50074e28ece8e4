// TCP_INFO of any socket in a lab host, including a foreign program's: `ss -tinoeH state all`
// (iproute2) inside the host's namespace reads it through sock_diag, the way `ss -ti` does.
// Parsed here into what the timer model needs: state, timer (keepalive, on = retransmission,
// and how many probes or retransmissions so far), RTO, backoff, and when the socket last sent
// and heard from its peer. Each entry names its socket by 4-tuple and inode, the same inode
// strace shows before a socket has its tuple.

export interface SocketInfo {
  /** TCP_INFO's state name: ESTABLISHED, SYN_SENT, FIN_WAIT1, LISTEN ... */
  state: string;
  local: string;
  peer: string;
  inode: number | null;
  /** The pending timer: "keepalive", "on" (retransmission), "persist", "timewait"... */
  timer: { name: string; remainingMs: number; count: number } | null;
  rtoMs: number | null;
  backoff: number;
  /** Segments currently retransmitted / in total (ss's retrans:a/b). */
  retransmits: number;
  totalRetrans: number;
  unacked: number;
  /** ms since the last data sent, data received, ACK received (0 when never). */
  lastSendMs: number;
  lastRecvMs: number;
  lastAckMs: number;
}

const STATES: Record<string, string> = {
  ESTAB: "ESTABLISHED",
  "SYN-SENT": "SYN_SENT",
  "SYN-RECV": "SYN_RECV",
  "FIN-WAIT-1": "FIN_WAIT1",
  "FIN-WAIT-2": "FIN_WAIT2",
  "TIME-WAIT": "TIME_WAIT",
  UNCONN: "CLOSE",
  "CLOSE-WAIT": "CLOSE_WAIT",
  "LAST-ACK": "LAST_ACK",
  LISTEN: "LISTEN",
  CLOSING: "CLOSING",
};

/** The ss arguments this parser expects (run inside the host's network namespace). */
export const SS_ARGS = ["-tinoeH", "state", "all"];

/**
 * ss's timer notation (print_ms_timer in iproute2): "960ms", "1.480ms" (1 s 480 ms),
 * "12sec", "1min30sec", "2min".
 */
export function parseSsTimer(text: string): number | null {
  const m = /^(?:(\d+)min)?(?:(\d+)(sec|\.))?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === "") return null;
  const [, min = "0", sec = "0", , ms = "0"] = m;
  return Number(min) * 60_000 + Number(sec) * 1000 + Number(ms);
}

const num = (line: string, key: string): number | null => {
  const m = new RegExp(`(?:^|\\s)${key}:(\\d+(?:\\.\\d+)?)`).exec(line);
  return m ? Number(m[1]) : null;
};

/**
 * `ss -tinoeH state all` output -> one entry per socket. Filtered by one state, ss leaves the
 * state column out: `state` then names it.
 */
export function parseSs(output: string, state?: string): SocketInfo[] {
  const sockets: SocketInfo[] = [];
  const lines = output.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const head = lines[i];
    if (head.trim() === "" || /^\s/.test(head)) continue;
    const fields = head.trim().split(/\s+/);
    if (/^\d+$/.test(fields[0])) fields.unshift(state ?? "?");
    const [name, , , local, peer] = fields;
    // The info line follows, indented (a tab).
    const info = /^\s/.test(lines[i + 1] ?? "") ? lines[i + 1] : "";
    const timer = /timer:\(([a-z_]+),([^,]*),(\d+)\)/.exec(head);
    const retrans = /(?:^|\s)retrans:(\d+)\/(\d+)/.exec(info);
    const remaining = timer ? parseSsTimer(timer[2]) : null;
    sockets.push({
      state: STATES[name] ?? name,
      local,
      peer,
      inode: num(head, "ino"),
      timer: timer
        ? { name: timer[1], remainingMs: remaining ?? 0, count: Number(timer[3]) }
        : null,
      rtoMs: num(info, "rto"),
      backoff: num(info, "backoff") ?? 0,
      retransmits: retrans ? Number(retrans[1]) : 0,
      totalRetrans: retrans ? Number(retrans[2]) : 0,
      unacked: num(info, "unacked") ?? 0,
      lastSendMs: num(info, "lastsnd") ?? 0,
      lastRecvMs: num(info, "lastrcv") ?? 0,
      lastAckMs: num(info, "lastack") ?? 0,
    });
  }
  return sockets;
}
