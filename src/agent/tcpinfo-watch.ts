// The tcp-info detection method: read TCP_INFO every few ms and report each change of the
// connection's state, retransmissions, keepalive probes and backoff, as the kernel sees them.

import { nowMs } from "../clock.js";
import { tcpInfo } from "./calls.js";

const INTERVAL_MS = 5;

export class TcpInfoWatch {
  private readonly timer: NodeJS.Timeout;
  private last = "";

  constructor(
    private readonly fd: number,
    private readonly report: (state: string, detail: string, t: number) => void,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), INTERVAL_MS);
  }

  private sample(): void {
    const info = tcpInfo(this.fd);
    const t = nowMs();
    if (!info) {
      this.stop();
      return;
    }
    const detail = `retransmits=${info.retransmits} probes=${info.probes} backoff=${info.backoff} total_retrans=${info.totalRetrans} rto=${info.rtoUs / 1000}ms`;
    const key = `${info.state} ${detail}`;
    if (key === this.last) return;
    this.last = key;
    this.report(info.state, detail, t);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
