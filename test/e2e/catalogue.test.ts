// End to end, as root: the full catalogue. Every scenario beyond the five named ones passes its
// own expectations three times in a row with identical outcomes (--repeat 3), the detection
// methods side by side, SIGPIPE, the server as observer, and IPv6 for the five named scenarios.
import { describe, expect, it } from "vitest";
import { connection, isRoot, runJson } from "./helpers.js";
import { outcomes, threeIdentical } from "./repeat-helpers.js";

describe.skipIf(!isRoot)("the full catalogue", () => {
  it("peer-abort: RST, recv ECONNRESET", async () => {
    await threeIdentical(["peer-abort"], ["idle: recv ECONNRESET", "writer: recv ECONNRESET"]);
  });

  it("unread-close: the writer's unread data turns close into RST; idle gets FIN", async () => {
    await threeIdentical(["unread-close"], ["idle: recv EOF", "writer: recv ECONNRESET"]);
  });

  it("unread-close --detect heartbeat,user-timeout,urgent: every connection that sends gets RST", async () => {
    await threeIdentical(
      ["unread-close", "--detect", "heartbeat,user-timeout,urgent"],
      ["heartbeat: recv ECONNRESET", "user-timeout: recv ECONNRESET", "urgent: recv ECONNRESET"],
    );
  });

  it("peer-close --detect urgent,recv: the urgent byte the server never read turns close into RST", async () => {
    await threeIdentical(
      ["peer-close", "--detect", "urgent,recv"],
      ["urgent: recv ECONNRESET", "recv: recv EOF"],
    );
  });

  it("half-close: EOF, and the writer can still send", async () => {
    const report = await threeIdentical(["half-close"], ["idle: recv EOF", "writer: recv EOF"]);
    const writer = connection(report, "writer");
    const after = writer.events.filter(
      (e) => e.side === "client" && e.call === "send" && e.tMs > 0,
    );
    expect(after.length).toBeGreaterThanOrEqual(2);
    expect(after.every((e) => e.result === "OK")).toBe(true);
  });

  it("server-restart: EOF from the killed process, then the new one knows nothing (EPIPE)", async () => {
    const report = await threeIdentical(["server-restart"], ["idle: recv EOF", "writer: recv EOF"]);
    const idle = connection(report, "idle");
    expect(
      idle.events
        .filter((e) => e.side === "client" && e.tMs > 0)
        .map((e) => `${e.call} ${e.result}`),
    ).toContain("send EPIPE");
  });

  it("peer-freeze: TCP never notices; the heartbeat declares the peer dead", async () => {
    const report = await threeIdentical(
      ["peer-freeze", "--window", "3"],
      ["idle: none", "writer: none", "heartbeat: heartbeat DEAD"],
    );
    for (const run of report.runs) {
      const hb = run.connections.find((c) => c.id === "heartbeat");
      expect(hb?.firstFailure?.afterMs).toBeGreaterThan(1000);
      expect(hb?.firstFailure?.afterMs).toBeLessThan(2200);
    }
  });

  it("host-unreachable --recverr without the ICMP limit: EHOSTUNREACH at the tail loss probe; keepalive ignores ICMP", async () => {
    const report = await threeIdentical(
      [
        "host-unreachable",
        "--recverr",
        "--icmp-ratelimit",
        "0",
        "--keepalive",
        "1,1,2",
        "--window",
        "4",
      ],
      ["idle: recv ETIMEDOUT", "writer: send|recv EHOSTUNREACH"],
      { racyWriter: true },
    );
    expect(connection(report, "writer").firstFailure?.afterMs).toBeLessThan(700);
  });

  it("host-unreachable with a user timeout: EHOSTUNREACH instead of ETIMEDOUT when the timer gives up", async () => {
    await threeIdentical(
      ["host-unreachable", "--user-timeout", "2000", "--window", "5"],
      ["idle: none", "writer: send|recv EHOSTUNREACH"],
      { racyWriter: true },
    );
  });

  it("host-unreachable, stock router: reverts push TCP_USER_TIMEOUT 3000 to ~5.1 s, as predicted", async () => {
    const report = await threeIdentical(
      ["host-unreachable", "--user-timeout", "3000", "--window", "7"],
      ["idle: none", "writer: send|recv EHOSTUNREACH"],
      { racyWriter: true },
    );
    for (const run of report.runs) {
      expect(run.settings.routerSysctls?.["net.ipv4.icmp_ratelimit"]).toBe("1000");
      const t = run.connections.find((c) => c.id === "writer")?.firstFailure?.afterMs ?? 0;
      expect(t).toBeGreaterThan(4600);
      expect(t).toBeLessThan(5700);
    }
  });

  it("host-unreachable --recverr, stock router: the early answers are locked out or rate-limited", async () => {
    const report = await threeIdentical(
      ["host-unreachable", "--recverr", "--window", "5"],
      ["idle: none", "writer: send|recv EHOSTUNREACH"],
      { racyWriter: true },
    );
    for (const run of report.runs) {
      const writer = run.connections.find((c) => c.id === "writer");
      const t = writer?.firstFailure?.afterMs ?? 0;
      // Mostly the 4th RTO's answer (~3.5 s). The writer's next send and the tail loss probe
      // are ~8 ms apart: when a loaded machine delays the send past the probe, the probe's
      // answer gets through the limiter and is reported at ~0.36 s. The prediction says so, and
      // the scenario's time check is skipped with that reason.
      expect((t > 3000 && t < 4000) || (t > 300 && t < 700)).toBe(true);
      expect(writer?.predicted?.uncertain).toMatch(/sends are 200 ms apart/);
      expect(run.expectations?.skipped.map((s) => s.expectation)).toContain("writer: predicted");
    }
  });

  it("net-unreachable --recverr without the ICMP limit: ENETUNREACH", async () => {
    await threeIdentical(
      ["net-unreachable", "--recverr", "--icmp-ratelimit", "0", "--window", "2"],
      ["idle: none", "writer: send|recv ENETUNREACH"],
      { racyWriter: true },
    );
  });

  it("partition-heal: a 1 s partition heals, retransmissions catch up, nothing fails", async () => {
    const report = await threeIdentical(
      ["partition-heal", "--duration", "1", "--window", "3"],
      ["idle: none", "writer: none"],
    );
    const trace = connection(report, "writer").events.filter(
      (e) => e.call === "trace" && e.tMs > 0,
    );
    expect(trace.some((e) => /retransmits=[1-9]/.test(e.detail ?? ""))).toBe(true);
    expect(trace.at(-1)?.detail).toMatch(/retransmits=0 .*backoff=0/);
  });

  it("partition-heal with a user timeout shorter than the partition: ETIMEDOUT before the heal", async () => {
    await threeIdentical(
      ["partition-heal", "--duration", "4", "--user-timeout", "1500", "--window", "5"],
      ["idle: none", "writer: recv ETIMEDOUT"],
    );
  });

  it("connect-refused: ECONNREFUSED at once", async () => {
    await threeIdentical(["connect-refused"], ["idle: connect ECONNREFUSED"]);
  });

  it("client-crash --detect heartbeat: the server's pings go unanswered only after the crash", async () => {
    // the client end answers each ping, as the lab's server does for a client's heartbeat
    const report = await threeIdentical(
      ["client-crash", "--detect", "heartbeat", "--window", "4"],
      ["heartbeat: heartbeat DEAD"],
    );
    for (const run of report.runs) {
      const c = run.connections[0];
      expect(c.side).toBe("server");
      // 3 misses of 500 ms pings: DEAD 1.5-2 s after the crash, at the predicted tick
      expect(c.firstFailure?.afterMs).toBeGreaterThan(1500);
      expect(c.firstFailure?.afterMs).toBeLessThan(2100);
    }
  });

  it("client-crash: the server notices only through keepalive or its own retransmissions", async () => {
    // TCP_USER_TIMEOUT gives up ~15 ms after one of the writer's sends (+3550 ms): a send that
    // a loaded machine runs that late meets the error instead of the recv (seen once on CI).
    const withKeepalive = await threeIdentical(
      ["client-crash", "--keepalive", "1,1,2", "--user-timeout", "3000", "--window", "5"],
      ["idle: recv ETIMEDOUT", "writer: send|recv ETIMEDOUT"],
      { racyWriter: true },
    );
    expect(withKeepalive.runs[0].connections[0].side).toBe("server");
    await threeIdentical(["client-crash", "--window", "3"], ["idle: none", "writer: none"]);
  });

  it("host-crash --detect all: heartbeat first, keepalive-driven recv/poll/tcp-info ~3 s", async () => {
    const { code, report } = await runJson([
      "host-crash",
      "--detect",
      "all",
      "--keepalive",
      "1,1,2",
      "--heartbeat",
      "500,3",
      "--window",
      "5",
    ]);
    expect(code).toBe(0);
    const at = (id: string) => connection(report, id).firstFailure;
    expect(at("heartbeat")).toMatchObject({ call: "heartbeat", result: "DEAD" });
    expect(at("heartbeat")?.afterMs).toBeLessThan(2200);
    for (const id of ["recv", "poll", "tcp-info", "keepalive"]) {
      expect(at(id)?.afterMs).toBeGreaterThan(2500);
      expect(at(id)?.afterMs).toBeLessThan(3300);
    }
    expect(at("recv")?.result).toBe("ETIMEDOUT");
    expect(at("poll")?.result).toMatch(/POLLERR/);
    expect(at("tcp-info")).toMatchObject({ call: "tcp_info", result: "CLOSE" });
    expect(at("user-timeout")?.result).toBe("ETIMEDOUT");
  });

  it("--sigpipe default: the writer's process is killed by SIGPIPE after the RST", async () => {
    const { report } = await runJson(["peer-close", "--sigpipe", "default"]);
    const writer = connection(report, "writer");
    expect(writer.events.find((e) => e.call === "process")?.result).toBe("SIGPIPE");
    expect(connection(report, "idle").events.some((e) => e.call === "process")).toBe(false);
  });

  it.each([
    ["peer-close", [], "idle: recv EOF"],
    ["peer-kill", [], "idle: recv EOF"],
    ["host-crash", ["--keepalive", "1,1,2", "--window", "4"], "idle: recv ETIMEDOUT"],
    ["crash-reboot", ["--window", "3"], "writer: recv ECONNRESET"],
    ["shutdown", [], "idle: recv EOF"],
  ] as [string, string[], string][])("--ipv6 %s", async (name, flags, expected) => {
    const { code, report } = await runJson([name, "--ipv6", ...flags]);
    expect(code).toBe(0);
    expect(outcomes(report)[0]).toContain(expected);
    expect(connection(report, "idle").events.find((e) => e.call === "connect")?.detail).toMatch(
      /2001:db8:/,
    );
  });
});

describe.skipIf(!isRoot)("at scale", () => {
  it("host-crash with 10,000 idle connections and keepalive 1,1,2: every one detects, near its prediction", async () => {
    const { code, report } = await runJson([
      "host-crash",
      "--detect",
      "recv",
      "--connections",
      "10000",
      "--keepalive",
      "1,1,2",
    ]);
    expect(code).toBe(0);
    const [d] = report.runs[0].distributions ?? [];
    expect(d).toMatchObject({
      group: "recv",
      count: 10000,
      detected: 10000,
      outcome: "recv ETIMEDOUT",
    });
    expect(d.p99ErrorMs).toBeLessThanOrEqual(100);
    expect(d.histogram.reduce((n, b) => n + b.count, 0)).toBe(10000);
    // Without --events all, the JSON carries no per-connection events.
    expect(report.runs[0].connections.every((c) => c.events.length === 0)).toBe(true);
  });
});
