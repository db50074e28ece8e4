import { describe, expect, it } from "vitest";
import { parseSettings, type SettingFlags } from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";
import { ExpectSyntaxError, evaluate, parseExpectation } from "../../src/expect/index.js";
import { sameCall } from "../../src/expect/model.js";
import {
  type ConnectionReport,
  DETECT_METHODS,
  type FirstFailure,
  type SocketEvent,
} from "../../src/types.js";

function usageError(flags: SettingFlags): UsageError {
  try {
    parseSettings(flags);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(flags)}, but nothing was thrown`);
}

function syntaxError(text: string): ExpectSyntaxError {
  try {
    parseExpectation(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ExpectSyntaxError);
    return err as ExpectSyntaxError;
  }
  throw new Error(`expected "${text}" to be rejected`);
}

describe("--detect", () => {
  it("absent: no methods (the scenario's workloads)", () => {
    expect(parseSettings({}).detect).toEqual([]);
  });

  it("a comma list, in the order given", () => {
    expect(parseSettings({ detect: ["poll,recv"] }).detect).toEqual(["poll", "recv"]);
  });

  it("repeated flags, with spaces and duplicates", () => {
    expect(parseSettings({ detect: ["recv, poll", "heartbeat", "recv"] }).detect).toEqual([
      "recv",
      "poll",
      "heartbeat",
    ]);
  });

  it('"all" is every method, in the catalogue\'s order', () => {
    const all = ["recv", "poll", "tcp-info", "keepalive", "user-timeout", "heartbeat", "urgent"];
    expect(parseSettings({ detect: ["all"] }).detect).toEqual(all);
    expect(parseSettings({ detect: ["urgent,all"] }).detect).toEqual(all);
    expect([...DETECT_METHODS]).toEqual(all);
  });

  it("an unknown method is a UsageError naming --detect and the bad name", () => {
    const err = usageError({ detect: ["recv,pol"] });
    expect(err.message).toContain("--detect");
    expect(err.message).toContain('"pol"');
    expect(err.message).toContain("tcp-info");
  });

  it("an unknown method in a later flag is caught too", () => {
    expect(usageError({ detect: ["recv", "tcp_info"] }).message).toMatch(/^--detect .*"tcp_info"/);
  });
});

describe("--heartbeat P,N", () => {
  it("defaults to a ping every 500 ms, dead after 3 misses", () => {
    expect(parseSettings({}).heartbeat).toEqual({ intervalMs: 500, misses: 3 });
  });

  it.each([
    ["250,4", 250, 4],
    ["10,1", 10, 1],
    ["60000,100", 60000, 100],
    [" 1000,5 ", 1000, 5],
  ])("%s", (value, intervalMs, misses) => {
    expect(parseSettings({ heartbeat: value }).heartbeat).toEqual({ intervalMs, misses });
  });

  it.each([
    "500", // no miss count
    "9,3", // interval below 10 ms
    "60001,3", // interval above 60 s
    "500,0", // no misses
    "500,101", // too many misses
    "fast,3", // not a number
  ])('rejects "%s" with a UsageError naming --heartbeat', (value) => {
    const err = usageError({ heartbeat: value });
    expect(err.message).toContain("--heartbeat takes P,N");
    expect(err.message).toContain(`got "${value}"`);
  });
});

describe("--sigpipe", () => {
  it("ignore (MSG_NOSIGNAL) is the default: sigpipe false", () => {
    expect(parseSettings({}).sigpipe).toBe(false);
    expect(parseSettings({ sigpipe: "ignore" }).sigpipe).toBe(false);
  });

  it("default: sigpipe true", () => {
    expect(parseSettings({ sigpipe: "default" }).sigpipe).toBe(true);
  });

  it("anything else is a UsageError", () => {
    const err = usageError({ sigpipe: "bad" });
    expect(err.message).toContain("--sigpipe");
    expect(err.message).toContain('got "bad"');
  });
});

describe("--syn-retries", () => {
  it("absent: null (the lab's default)", () => {
    expect(parseSettings({}).synRetries).toBeNull();
  });

  it.each([
    ["1", 1],
    ["6", 6],
    ["10", 10],
  ])("%s", (value, n) => {
    expect(parseSettings({ synRetries: value }).synRetries).toBe(n);
  });

  it.each(["0", "11"])("%s is out of range", (value) => {
    expect(usageError({ synRetries: value }).message).toBe(
      `--syn-retries ${value} is out of range: use 1 to 10 SYN retransmissions`,
    );
  });

  it.each(["two", "1.5", "-1", ""])('"%s" is not a whole number', (value) => {
    expect(usageError({ synRetries: value }).message).toContain(
      "--syn-retries takes a whole number",
    );
  });
});

describe("--duration", () => {
  it("defaults to 3 s", () => {
    expect(parseSettings({}).durationMs).toBe(3000);
  });

  it.each([
    ["5", 5000],
    ["2.5s", 2500],
    ["500ms", 500],
    ["0", 0],
    ["600", 600_000],
  ])("%s -> %i ms", (value, ms) => {
    expect(parseSettings({ duration: value }).durationMs).toBe(ms);
  });

  it.each(["601", "abc", "-1", "5m"])('rejects "%s"', (value) => {
    expect(usageError({ duration: value }).message).toMatch(/^--duration /);
  });
});

describe("--observer", () => {
  it("absent: not set (the scenario decides)", () => {
    const settings = parseSettings({});
    expect(settings.observer).toBeUndefined();
    expect("observer" in settings).toBe(false);
  });

  it.each(["client", "server"])("%s", (value) => {
    expect(parseSettings({ observer: value }).observer).toBe(value);
  });

  it("anything else is a UsageError", () => {
    expect(usageError({ observer: "router" }).message).toBe(
      '--observer takes "client" or "server"; got "router"',
    );
  });
});

describe("--connections", () => {
  it("defaults to 1", () => {
    expect(parseSettings({}).connections).toBe(1);
  });

  it.each([
    ["1", 1],
    ["100", 100],
    ["20000", 20000],
  ])("%s", (value, n) => {
    expect(parseSettings({ connections: value }).connections).toBe(n);
  });

  it.each(["0", "20001"])("%s is out of range", (value) => {
    expect(usageError({ connections: value }).message).toBe(
      `--connections ${value} is out of range: use 1 to 20000 connections per workload`,
    );
  });

  it.each(["many", "1.5", "-3", "", "1e3"])('"%s" is not a whole number', (value) => {
    expect(usageError({ connections: value }).message).toContain(
      "--connections takes a whole number",
    );
  });
});

describe("--events", () => {
  it("defaults to summary", () => {
    expect(parseSettings({}).events).toBe("summary");
  });

  it.each(["all", "summary"])("%s", (value) => {
    expect(parseSettings({ events: value }).events).toBe(value);
  });

  it("anything else is a UsageError", () => {
    expect(usageError({ events: "some" }).message).toBe(
      '--events takes "all" or "summary"; got "some"',
    );
  });
});

describe("--engine", () => {
  it("defaults to syscall", () => {
    expect(parseSettings({}).engine).toBe("syscall");
  });

  it.each(["syscall", "node"])("%s", (value) => {
    expect(parseSettings({ engine: value }).engine).toBe(value);
  });

  it("anything else is a UsageError", () => {
    const err = usageError({ engine: "libuv" });
    expect(err.message).toContain("--engine");
    expect(err.message).toContain('got "libuv"');
  });
});

describe("--recverr and --ipv6", () => {
  it("default off, passed through when given", () => {
    expect(parseSettings({})).toMatchObject({ recverr: false, ipv6: false });
    expect(parseSettings({ recverr: true, ipv6: true })).toMatchObject({
      recverr: true,
      ipv6: true,
    });
  });
});

describe("expectation language: method results", () => {
  it("heartbeat: heartbeat DEAD within 1s..3s", () => {
    expect(parseExpectation("heartbeat: heartbeat DEAD within 1s..3s")).toEqual({
      kind: "result",
      conn: "heartbeat",
      call: "heartbeat",
      result: "DEAD",
      window: { fromMs: 1000, toMs: 3000 },
    });
  });

  it("poll: poll POLLIN|POLLRDHUP|POLLHUP|POLLERR", () => {
    expect(parseExpectation("poll: poll POLLIN|POLLRDHUP|POLLHUP|POLLERR")).toEqual({
      kind: "result",
      conn: "poll",
      call: "poll",
      result: "POLLIN|POLLRDHUP|POLLHUP|POLLERR",
      window: null,
    });
  });

  it("a single poll bit, and lower case is made upper case", () => {
    expect(parseExpectation("poll: poll POLLERR")).toMatchObject({ result: "POLLERR" });
    expect(parseExpectation("poll: poll pollrdhup|pollhup")).toMatchObject({
      result: "POLLRDHUP|POLLHUP",
    });
  });

  it("tcp-info: tcp_info CLOSE (a hyphenated connection id)", () => {
    expect(parseExpectation("tcp-info: tcp_info CLOSE")).toEqual({
      kind: "result",
      conn: "tcp-info",
      call: "tcp_info",
      result: "CLOSE",
      window: null,
    });
  });

  it("idle: read EOF", () => {
    expect(parseExpectation("idle: read EOF")).toEqual({
      kind: "result",
      conn: "idle",
      call: "read",
      result: "EOF",
      window: null,
    });
  });

  it("a bad poll bit is rejected at the result's column", () => {
    const err = syntaxError("poll: poll POLLFOO");
    expect(err.column).toBe(12);
    expect(err.detail).toBe('unknown result "POLLFOO"');
    expect(err.message).toContain("at column 12");
  });

  it("one bad bit among good ones is rejected too", () => {
    const err = syntaxError("poll: poll POLLIN|POLLFOO");
    expect(err.column).toBe(12);
    expect(err.detail).toBe('unknown result "POLLIN|POLLFOO"');
  });

  it("a bad poll bit as the head (any call) is rejected at column 7", () => {
    const err = syntaxError("poll: POLLFOO");
    expect(err.column).toBe(7);
    expect(err.detail).toContain('"POLLFOO"');
  });
});

describe("evaluate(): read and recv, write and send are the same call", () => {
  function conn(
    id: string,
    firstFailure: FirstFailure | null,
    events: SocketEvent[] = [],
  ): ConnectionReport {
    return { id, side: "client", workload: "idle", firstFailure, predicted: null, events };
  }
  const check = (text: string, c: ConnectionReport) => evaluate(parseExpectation(text), [c], 10);

  it("sameCall pairs read/recv and write/send, nothing else", () => {
    expect(sameCall("read", "recv")).toBe(true);
    expect(sameCall("recv", "read")).toBe(true);
    expect(sameCall("write", "send")).toBe(true);
    expect(sameCall("read", "send")).toBe(false);
    expect(sameCall("recv", "send")).toBe(false);
    expect(sameCall("poll", "recv")).toBe(false);
  });

  it('"idle: read EOF" holds for a recv EOF first failure', () => {
    const v = check("idle: read EOF", conn("idle", { call: "recv", result: "EOF", afterMs: 2 }));
    expect(v.pass).toBe(true);
  });

  it('"idle: recv EOF" holds for a read EOF (node engine) first failure', () => {
    const v = check("idle: recv EOF", conn("idle", { call: "read", result: "EOF", afterMs: 2 }));
    expect(v.pass).toBe(true);
  });

  it('"idle: read EOF" fails for a send EOF', () => {
    const v = check("idle: read EOF", conn("idle", { call: "send", result: "EOF", afterMs: 2 }));
    expect(v.pass).toBe(false);
    expect(v.message).toContain("expected idle read EOF");
  });

  it('"writer: write EPIPE within 1s" holds for send EPIPE at 0.5 s', () => {
    const c = conn("writer", { call: "send", result: "EPIPE", afterMs: 500 });
    expect(check("writer: write EPIPE within 1s", c).pass).toBe(true);
    expect(check("writer: write EPIPE within 0.4s", c).pass).toBe(false);
  });

  it('"heartbeat: heartbeat DEAD within 1s..3s" against a DEAD at 1.5 s and at 3.5 s', () => {
    const at = (ms: number) =>
      conn("heartbeat", { call: "heartbeat", result: "DEAD", afterMs: ms });
    const text = "heartbeat: heartbeat DEAD within 1s..3s";
    expect(check(text, at(1500)).pass).toBe(true);
    expect(check(text, at(3500)).pass).toBe(false);
  });

  it('"tcp-info: tcp_info CLOSE" matches the tcp_info state', () => {
    const c = conn("tcp-info", { call: "tcp_info", result: "CLOSE", afterMs: 2800 });
    expect(check("tcp-info: tcp_info CLOSE", c).pass).toBe(true);
    expect(check("tcp-info: tcp_info CLOSE_WAIT", c).pass).toBe(false);
  });
});
