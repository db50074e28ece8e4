// End to end, as root: compare, explain against run, --repeat, --junit and --engine node.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/types.js";
import { connection, isRoot, runJson, tcpdrop } from "./helpers.js";

/** max(100 ms, 10 %): the tolerance the issue asks predictions to meet. */
function nearPrediction(measured: number | undefined, predicted: number | null | undefined): void {
  expect(measured).toBeDefined();
  expect(predicted).toBeTypeOf("number");
  const tolerance = Math.max(100, 0.1 * (predicted as number));
  expect(Math.abs((measured as number) - (predicted as number))).toBeLessThanOrEqual(tolerance);
}

describe.skipIf(!isRoot)("compare, explain, repeat, junit, engines", () => {
  it("compare host-crash: each detected row within max(100 ms, 10 %) of its prediction; off is undetected", async () => {
    const res = await tcpdrop([
      "compare",
      "host-crash",
      "--keepalive",
      "off",
      "--keepalive",
      "2,1,3",
      "--keepalive",
      "1,1,2",
      "--user-timeout",
      "3000",
      "--json",
    ]);
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    expect(report.runs.map((r) => r.label)).toEqual([
      "keepalive off",
      "keepalive 2,1,3",
      "keepalive 1,1,2",
      "user-timeout 3000",
    ]);
    const [off, ka213, ka112, ut] = report.runs;
    expect(off.connections.every((c) => c.firstFailure === null)).toBe(true);
    expect(off.connections.find((c) => c.id === "writer")?.predicted?.basis).toMatch(
      /tcp_retries2=15/,
    );
    for (const run of [ka213, ka112]) {
      const idle = run.connections.find((c) => c.id === "idle");
      expect(idle?.firstFailure?.result).toBe("ETIMEDOUT");
      nearPrediction(idle?.firstFailure?.afterMs, idle?.predicted?.afterMs);
    }
    const writer = ut.connections.find((c) => c.id === "writer");
    expect(writer?.firstFailure?.result).toBe("ETIMEDOUT");
    nearPrediction(writer?.firstFailure?.afterMs, writer?.predicted?.afterMs);
  });

  it("explain predicts what run measures", async () => {
    const flags = ["--keepalive", "1,1,2", "--user-timeout", "3000", "--window", "5"];
    const explained = await tcpdrop(["explain", "host-crash", ...flags, "--json"]);
    expect(explained.code).toBe(0);
    const predictions = JSON.parse(explained.stdout).predictions as {
      connection: string;
      predicted: { afterMs: number };
    }[];
    const { report } = await runJson(["host-crash", ...flags]);
    for (const p of predictions) {
      nearPrediction(connection(report, p.connection).firstFailure?.afterMs, p.predicted.afterMs);
    }
  });

  it("run peer-close --repeat 5: five identical outcomes", async () => {
    const { code, report } = await runJson(["peer-close", "--repeat", "5"]);
    expect(code).toBe(0);
    expect(report.runs.map((r) => r.repetition)).toEqual([1, 2, 3, 4, 5]);
    for (const run of report.runs) {
      for (const c of run.connections)
        expect(c.firstFailure).toMatchObject({ call: "recv", result: "EOF" });
    }
  });

  it("--junit writes one testcase per expectation; a failing --expect exits 1", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tcpdrop-")), "junit.xml");
    const res = await tcpdrop([
      "run",
      "peer-close",
      "--junit",
      file,
      "--expect",
      "idle: recv ECONNRESET",
      "--json",
    ]);
    expect(res.code).toBe(1);
    const xml = readFileSync(file, "utf8");
    const report = JSON.parse(res.stdout) as Report;
    expect((xml.match(/<testcase /g) ?? []).length).toBe(report.runs[0].verdicts.length);
    expect((xml.match(/<failure /g) ?? []).length).toBe(1);
    expect(xml).toContain("expected idle recv ECONNRESET");
  });

  it("--engine node: what a Node.js program sees (EOF as a read; its own FIN makes the next write EPIPE)", async () => {
    const { code, report } = await runJson(["peer-close", "--engine", "node"]);
    expect(code).toBe(0);
    expect(report.runs[0].engine).toBe("node");
    const idle = connection(report, "idle");
    expect(idle.firstFailure).toMatchObject({ call: "read", result: "EOF" });
    const next = idle.events.find((e) => e.side === "client" && e.call === "write");
    expect(next?.result).toBe("EPIPE");
  });

  it("--engine node host-crash with keepalive 1,1,2: idle's read fails ETIMEDOUT like the syscall engine's recv", async () => {
    const { report } = await runJson([
      "host-crash",
      "--engine",
      "node",
      "--keepalive",
      "1,1,2",
      "--window",
      "4",
    ]);
    const idle = connection(report, "idle");
    expect(idle.firstFailure).toMatchObject({ call: "read", result: "ETIMEDOUT" });
    expect(idle.events.find((e) => e.call === "connect")?.detail).toMatch(
      /setKeepAlive set intvl \d+ s, cnt \d+/,
    );
    nearPrediction(idle.firstFailure?.afterMs, idle.predicted?.afterMs);
  });
});
