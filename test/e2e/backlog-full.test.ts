// backlog-full, in a real lab: a server that stopped calling accept() with a full listen queue.
// Its kernel drops each new SYN, with or without net.ipv4.tcp_abort_on_overflow, so connect()
// fails with ETIMEDOUT once tcp_syn_retries (2 here: SYNs at 0..5 s) is spent.
import { describe, expect, it } from "vitest";
import { runJson } from "./helpers.js";

describe.each(["backlog-full", "backlog-full-abort"])("%s", (name) => {
  it("connect() fails with ETIMEDOUT after the SYN retries (--syn-retries 2: ~7.1 s)", async () => {
    const { code, report } = await runJson([name, "--syn-retries", "2"]);
    expect(code).toBe(0);
    for (const conn of report.runs[0].connections) {
      expect(conn.firstFailure).toMatchObject({ call: "connect", result: "ETIMEDOUT" });
      expect(conn.firstFailure.afterMs).toBeGreaterThan(6900);
      expect(conn.firstFailure.afterMs).toBeLessThan(7600);
      // connect() failed, so the connection never sent anything.
      expect(conn.events.some((e: { call: string }) => e.call === "send")).toBe(false);
    }
  }, 60_000);
});
