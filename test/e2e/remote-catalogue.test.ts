// Remote mode gives the lab's outcomes: each scenario whose fault runs remotely passes its own
// expectations (written from what the lab's kernel did) between two hosts this test built,
// reached through nsenter as through ssh; and nothing is left on either host.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/types.js";
import { isRoot, tcpdrop } from "./helpers.js";
import { FakeHosts, REMOTE_COMMAND, SERVER_ADDR } from "./remote-hosts.js";

let hosts: FakeHosts;

/** Scenarios not already covered by remote.test.ts, with a setting or two of their own. */
const CASES = [
  "peer-close",
  "peer-abort",
  "half-close",
  "unread-close",
  "peer-freeze",
  "server-restart",
  "shutdown --ignore-sigterm",
  "peer-close --sigpipe default",
];

describe.skipIf(!isRoot)("remote mode matches the lab, scenario by scenario", () => {
  beforeAll(async () => {
    hosts = await FakeHosts.create();
  });
  afterAll(() => hosts?.destroy());

  it.each(CASES)(
    "%s passes its own expectations between two hosts",
    async (line) => {
      const args = line.split(" ");
      const before = hosts.state();
      const res = await tcpdrop([
        "run",
        ...args,
        "--client-via",
        hosts.client.via,
        "--server-via",
        hosts.server.via,
        "--server-addr",
        SERVER_ADDR,
        "--remote-command",
        REMOTE_COMMAND,
        "--json",
      ]);
      expect(res.stderr).toBe("");
      const report = JSON.parse(res.stdout) as Report;
      const failed = report.runs[0].verdicts.filter((v) => !v.pass).map((v) => v.message);
      expect(failed).toEqual([]);
      expect(report.runs[0].expectations.checked).toBeGreaterThan(0);
      expect(res.code).toBe(0);
      let after = hosts.state();
      for (let i = 0; i < 30 && JSON.stringify(after) !== JSON.stringify(before); i++) {
        await new Promise((r) => setTimeout(r, 100));
        after = hosts.state();
      }
      expect(after).toEqual(before);
    },
    60_000,
  );
});
