import { describe, expect, it } from "vitest";
import {
  createProgress,
  formatProgress,
  renderJson,
  renderPretty,
} from "../../src/reporters/index.js";
import { buildReport } from "../../src/runner/document.js";
import type { ConnectionReport, RunReport, SocketEvent } from "../../src/types.js";

const ESC = "\x1b[";
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI_SGR = /\u001b\[[0-9;]*m/g;

function writerSends(fromMs: number, toMs: number, stepMs: number): SocketEvent[] {
  const out: SocketEvent[] = [];
  for (let t = fromMs; t <= toMs; t += stepMs) {
    out.push({ tMs: t, side: "client", conn: "writer", call: "send", result: "OK", bytes: 5 });
  }
  return out;
}

function hostCrashRun(): RunReport {
  const idle: ConnectionReport = {
    id: "idle",
    side: "client",
    workload: "idle",
    firstFailure: null,
    predicted: {
      call: null,
      result: null,
      afterMs: null,
      basis: "no keepalive, nothing in flight",
    },
    events: [
      // Deliberately out of order: the reporter sorts by time.
      { tMs: -1990.7, side: "server", conn: "idle", call: "accept", result: "OK" },
      {
        tMs: -2000.5,
        side: "client",
        conn: "idle",
        call: "connect",
        result: "OK",
        detail: "203.0.113.2:7000",
      },
      { tMs: -310.2, side: "client", conn: "idle", call: "recv", result: "OK", bytes: 5 },
    ],
  };
  const writer: ConnectionReport = {
    id: "writer",
    side: "client",
    workload: "writer",
    firstFailure: { call: "send", result: "ETIMEDOUT", afterMs: 2912.4 },
    predicted: {
      call: "send",
      result: "ETIMEDOUT",
      afterMs: 2935,
      basis: "TCP_USER_TIMEOUT 3000 ms from first unacked send",
    },
    events: [
      {
        tMs: -2000.1,
        side: "client",
        conn: "writer",
        call: "connect",
        result: "OK",
        detail: "203.0.113.2:7000",
      },
      ...writerSends(-1800, -200, 200), // 9 sends before the fault
      ...writerSends(200, 2600, 200), // 13 sends after it
      { tMs: 2912.4, side: "client", conn: "writer", call: "send", result: "ETIMEDOUT" },
      { tMs: 2913, side: "client", conn: "writer", call: "recv", result: "EOF" },
    ],
  };
  return {
    scenario: "host-crash",
    engine: "syscall",
    summary: "The server host stops answering: no FIN, no RST, every segment is dropped.",
    settings: {
      keepalive: null,
      userTimeoutMs: 3000,
      sysctls: { "net.ipv4.tcp_retries2": "15" },
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
    },
    connections: [idle, writer],
    verdicts: [
      {
        expectation: "writer send ETIMEDOUT ~3000ms",
        pass: true,
        message: "writer: send ETIMEDOUT at 2912.4 ms, expected 3000 ms ±375 ms",
      },
      {
        expectation: "idle recv ETIMEDOUT",
        pass: false,
        message: "idle: expected recv ETIMEDOUT, saw nothing within 10 s",
      },
    ],
    passed: false,
    durationMs: 12500,
  };
}

const report = buildReport([hostCrashRun()], "6.8.0-test", "0.1.0");
const hint = (c: ConnectionReport, windowS: number) =>
  `${c.id} saw nothing in ${windowS} s; enable keepalive (--keepalive 1,1,2) to detect a dead peer`;

function plain(): string {
  return renderPretty(report, { color: false, hint });
}

function lines(): string[] {
  return plain().split("\n");
}

function indexOf(all: string[], pattern: RegExp): number {
  const i = all.findIndex((l) => pattern.test(l));
  expect(i, `no line matches ${pattern}`).toBeGreaterThanOrEqual(0);
  return i;
}

describe("json reporter", () => {
  it("builds a versioned report", () => {
    expect(report.schemaVersion).toBe(1);
    expect(report.tool).toEqual({ name: "tcpdrop", version: "0.1.0" });
    expect(report.kernel).toBe("6.8.0-test");
  });

  it("round-trips and ends with one newline", () => {
    const text = renderJson(report);
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.endsWith("\n\n")).toBe(false);
    expect(JSON.parse(text)).toEqual(report);
    expect(text).not.toContain(ESC);
  });
});

describe("pretty reporter", () => {
  it("prints the header, settings and summary", () => {
    const all = lines();
    expect(all[0]).toBe("tcpdrop run host-crash");
    expect(all[1]).toBe("kernel 6.8.0-test · engine syscall");
    expect(all[2]).toBe("keepalive off · user-timeout 3000 ms · tcp_retries2=15 · window 10 s");
    expect(all[3]).toBe(report.runs[0].summary);
  });

  it("shows keepalive settings when set", () => {
    const run = hostCrashRun();
    run.settings.keepalive = { idle: 1, interval: 1, count: 2 };
    run.settings.userTimeoutMs = null;
    const text = renderPretty(buildReport([run], "k", "v"), { color: false });
    expect(text).toContain("keepalive 1,1,2 (idle,intvl,cnt s) · user-timeout off");
  });

  it("prints the idle timeline in time order with the fault after the last pre-fault event", () => {
    const all = lines();
    const head = indexOf(all, /^idle \(client workload idle\)$/);
    const connect = indexOf(all, /-2000\.5 ms {2}client {2}connect +OK +203\.0\.113\.2:7000$/);
    const accept = indexOf(all, /-1990\.7 ms {2}server {2}accept +OK$/);
    const recv = indexOf(all, /-310\.2 ms {2}client {2}recv +OK +5 B$/);
    const fault = all.findIndex((l, i) => i > head && l.trim() === "──── fault ────");
    const writerHead = indexOf(all, /^writer \(client workload writer\)$/);
    expect(head).toBeLessThan(connect);
    expect(connect).toBeLessThan(accept);
    expect(accept).toBeLessThan(recv);
    expect(fault).toBe(recv + 1);
    expect(fault).toBeLessThan(writerHead);
  });

  it("collapses repeated sends on each side of the fault", () => {
    const all = lines();
    const writerHead = indexOf(all, /^writer \(/);
    const before = indexOf(all, /send +OK +5 B {2}×9 \(from -1800\.0 to -200\.0 ms\)$/);
    const fault = all.findIndex((l, i) => i > writerHead && l.trim() === "──── fault ────");
    const after = indexOf(all, /send +OK +5 B {2}×13 \(from \+200\.0 to \+2600\.0 ms\)$/);
    const timeout = indexOf(all, /\+2912\.4 ms {2}client {2}send +ETIMEDOUT$/);
    const eof = indexOf(all, /\+2913\.0 ms {2}client {2}recv +EOF$/);
    expect([writerHead, before, fault, after, timeout, eof]).toEqual(
      [writerHead, before, fault, after, timeout, eof].slice().sort((a, b) => a - b),
    );
    expect(fault).toBe(before + 1);
    expect(after).toBe(fault + 1);
    // 22 sends become two lines.
    expect(all.filter((l) => /send +OK/.test(l))).toHaveLength(2);
  });

  it("does not collapse two identical events, nor events that differ in bytes", () => {
    const run = hostCrashRun();
    run.connections = [
      {
        ...run.connections[1],
        events: [
          { tMs: -30, side: "client", conn: "w", call: "send", result: "OK", bytes: 5 },
          { tMs: -20, side: "client", conn: "w", call: "send", result: "OK", bytes: 5 },
          { tMs: -10, side: "client", conn: "w", call: "send", result: "OK", bytes: 6 },
          { tMs: 10, side: "client", conn: "w", call: "send", result: "EPIPE" },
          { tMs: 20, side: "client", conn: "w", call: "send", result: "EPIPE" },
          { tMs: 30, side: "client", conn: "w", call: "send", result: "EPIPE" },
        ],
      },
    ];
    const text = renderPretty(buildReport([run], "k", "v"), { color: false });
    expect(text).not.toContain("×");
    expect(text.match(/send +OK/g)).toHaveLength(3);
    expect(text.match(/send +EPIPE/g)).toHaveLength(3);
  });

  it("aligns the time column", () => {
    const all = lines();
    const ends = all.filter((l) => /^ +[+-]\d+\.\d ms /.test(l)).map((l) => l.indexOf(" ms "));
    expect(ends.length).toBeGreaterThan(5);
    expect(new Set(ends).size).toBe(1);
  });

  it("summarises first failures against predictions in a table", () => {
    const all = lines();
    const header = indexOf(all, /│ connection +│ first failure +│ after +│ predicted +│ basis +│/);
    const idle = indexOf(
      all,
      /│ idle +│ — +│ undetected within 10 s │ never +│ no keepalive, nothing in flight +│/,
    );
    const writer = indexOf(
      all,
      /│ writer +│ send ETIMEDOUT +│ 2912\.4 ms +│ ETIMEDOUT at 2935\.0 ms +│ TCP_USER_TIMEOUT 3000 ms from first unacked +│/,
    );
    expect(header).toBeLessThan(idle);
    expect(idle).toBeLessThan(writer);
  });

  it("prints a hint for each undetected connection only", () => {
    const hints = lines().filter((l) => l.startsWith("hint: "));
    expect(hints).toEqual([
      "hint: idle saw nothing in 10 s; enable keepalive (--keepalive 1,1,2) to detect a dead peer",
    ]);
    const none = renderPretty(report, { color: false, hint: () => null });
    expect(none).not.toContain("hint:");
    expect(renderPretty(report, { color: false })).not.toContain("hint:");
  });

  it("prints verdicts and a FAIL line counting failed expectations", () => {
    const all = lines();
    const ok = indexOf(all, /^✔ writer: send ETIMEDOUT at 2912\.4 ms/);
    const bad = indexOf(all, /^✘ idle: expected recv ETIMEDOUT, saw nothing within 10 s$/);
    expect(ok).toBeLessThan(bad);
    expect(all.filter((l) => l.length > 0).at(-1)).toBe(
      "FAIL host-crash (1 of 2 expectations failed)",
    );
  });

  it("prints PASS when every expectation held", () => {
    const run = hostCrashRun();
    run.verdicts = run.verdicts.filter((v) => v.pass);
    run.passed = true;
    const text = renderPretty(buildReport([run], "k", "v"), { color: false });
    expect(text.trimEnd().split("\n").at(-1)).toBe("PASS host-crash");
    expect(text).not.toContain("FAIL");
  });

  it("has no ANSI codes without color, and colors results and the marker with it", () => {
    expect(plain()).not.toContain(ESC);
    const colored = renderPretty(report, { color: true, hint });
    expect(colored).toContain(ESC);
    expect(colored).toContain("\x1b[1m──── fault ────");
    expect(colored).toContain(`${ESC}31mETIMEDOUT`);
    expect(colored).toContain(`${ESC}33mEOF`);
    expect(colored.replace(ANSI_SGR, "")).toBe(plain());
  });
});

interface FakeStream {
  isTTY: boolean;
  columns?: number;
  written: string[];
  write(chunk: string): boolean;
}

function fakeStream(isTTY: boolean, columns?: number): FakeStream {
  const written: string[] = [];
  return {
    isTTY,
    columns,
    written,
    write(chunk: string) {
      written.push(chunk);
      return true;
    },
  };
}

describe("progress", () => {
  it("formats the status line", () => {
    expect(formatProgress(3200, 14, "host-crash", 10)).toBe(
      "host-crash  watching 3.2 s / 10 s · 14 events",
    );
    expect(formatProgress(0, 1, "x", 5)).toBe("x  watching 0.0 s / 5 s · 1 event");
  });

  it("writes nothing on a non-TTY stream", () => {
    const s = fakeStream(false);
    const p = createProgress(s as unknown as NodeJS.WriteStream, 10);
    p.update(3200, 14, "host-crash");
    p.done();
    expect(s.written).toEqual([]);
  });

  it("rewrites one line on a TTY and clears it on done", () => {
    const s = fakeStream(true, 120);
    const p = createProgress(s as unknown as NodeJS.WriteStream, 10);
    p.update(1000, 2, "host-crash");
    p.update(3200, 14, "host-crash");
    p.done();
    expect(s.written).toHaveLength(3);
    expect(s.written[0].startsWith("\r")).toBe(true);
    expect(s.written[1]).toContain("3.2 s / 10 s");
    expect(s.written[1]).toContain("14 events");
    expect(s.written.join("")).not.toContain("\n");
    expect(s.written[2]).toBe("\r\x1b[K");
  });

  it("keeps the line within the terminal width", () => {
    const s = fakeStream(true, 20);
    createProgress(s as unknown as NodeJS.WriteStream, 10).update(3200, 14, "host-crash");
    const text = s.written[0].replace("\r", "").replace("\x1b[K", "");
    expect(text.length).toBeLessThanOrEqual(19);
  });
});
