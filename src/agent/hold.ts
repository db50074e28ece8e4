// At scale (thousands of connections) the sending workloads hold their sends while the agent's
// connections are still being opened: ten thousand writers sending every 200 ms are some 50,000
// segments a second, and each one's trip through the lab (veth, router, server) runs on the
// sender's CPU, so opening the rest would wait behind them for seconds. Each sending connection
// keeps its own rhythm from its own connect (their phases stay spread); a beat while held is
// skipped, and the first send after the release is the first one reported. One hold per agent.
export class SendHold {
  private held = false;

  hold(): void {
    this.held = true;
  }

  release(): void {
    this.held = false;
  }

  get isHeld(): boolean {
    return this.held;
  }
}
