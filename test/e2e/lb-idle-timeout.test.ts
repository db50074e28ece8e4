// lb-idle-timeout in a real lab: conntrack in the router forgets the pooled connection after
// 3 s idle; its request (3.5 s after the connect) meets the load balancer's RST. Times are
// judged from each connection's own connect call: the fault comes --pre-fault after it, and
// how long after depends on when the server has read what was sent (runner/settle.ts).
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { connection, ROOT, runJson } from "./helpers.js";
import { after, canRun, connectedAt, first, hostRuleset, within } from "./middlebox-helpers.js";

describe.skipIf(!canRun)("lb-idle-timeout", () => {
  it("the request meets the middlebox's RST: recv ECONNRESET right after the send; the server hears nothing", async () => {
    const rulesBefore = hostRuleset();
    const { code, report } = await runJson(["lb-idle-timeout"]);
    expect(code).toBe(0);
    // The load balancer's table lived in the router's namespace only, and died with it.
    expect(hostRuleset()).toBe(rulesBefore);
    const send = first(report, "pooled", "client", "send", "OK");
    const reset = connection(report, "pooled").firstFailure;
    expect(reset).toMatchObject({ call: "recv", result: "ECONNRESET" });
    within((send?.tMs ?? 0) - connectedAt(report, "pooled"), 3480, 3600);
    within((reset?.afterMs ?? 0) - (send?.tMs ?? 0), 0, 50);
    // The RST went to the client only: the server's socket saw no failure and no request.
    expect(after(report, "pooled", "server")).toEqual([]);
    expect(connection(report, "idle").firstFailure).toBeNull();
    expect(connection(report, "writer").firstFailure).toBeNull();
  });

  it("keepalive 1,1,2 (1 s < 3 s): the flow never expires and the request is answered", async () => {
    const { code, report } = await runJson(["lb-idle-timeout", "--keepalive", "1,1,2"]);
    expect(code).toBe(0);
    for (const id of ["pooled", "idle", "writer"])
      expect(connection(report, id).firstFailure).toBeNull();
    const answer = after(report, "pooled", "client").find((e) => e.call === "recv");
    expect(answer).toMatchObject({ result: "OK" });
    within((answer?.tMs ?? 0) - connectedAt(report, "pooled"), 3480, 3600);
    expect(connection(report, "pooled").hint).toBe(
      "keepalive 1 s < idle timeout 3 s: the flow never expires",
    );
  });

  it("keepalive 5,1,2 (5 s > 3 s): the first probe, 5 s after the connect, meets the RST", async () => {
    const { code, report } = await runJson([
      "lb-idle-timeout",
      "--keepalive",
      "5,1,2",
      "--request-after",
      "6.5",
    ]);
    expect(code).toBe(0);
    for (const id of ["pooled", "idle"]) {
      const failure = connection(report, id).firstFailure;
      expect(failure).toMatchObject({ call: "recv", result: "ECONNRESET" });
      // The keepalive timer: 5 s from the connect. A 5 s timer sits in the timer wheel's
      // third level, whose buckets are 64 jiffies wide (256 ms at HZ=250): it fires up to that
      // late (measured here 5005-5135 ms after the connect).
      within((failure?.afterMs ?? 0) - connectedAt(report, id), 4990, 5300);
    }
    expect(connection(report, "idle").hint).toContain("try --keepalive 1,1,2");
    expect(connection(report, "writer").firstFailure).toBeNull();
  });

  it("without nft: one line naming the package, exit 2, before any lab", () => {
    const res = spawnSync(
      "unshare",
      [
        "--mount",
        "sh",
        "-c",
        'mount --bind /dev/null "$(command -v nft)" && exec "$@"',
        "sh",
      ].concat([process.execPath, "bin/tcpdrop.js", "run", "lb-idle-timeout"]),
      {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` },
      },
    );
    expect(res.status).toBe(2);
    expect(res.stderr.trim().split("\n")).toEqual([
      'tcpdrop: lb-idle-timeout needs "nft", which is not on PATH: install nftables (e.g. apt-get install nftables)',
    ]);
  });
});
