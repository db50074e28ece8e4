import { describe, expect, it } from "vitest";
import {
  MAX_WINDOW_S,
  parseKeepalive,
  parseSettings,
  type SettingFlags,
} from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error("expected a UsageError, but nothing was thrown");
}

describe("parseSettings defaults", () => {
  it("has the syscall engine, keepalive off, no user timeout, no retries2, a 10 s window and a 2 s grace", () => {
    expect(parseSettings({})).toMatchObject({
      engine: "syscall",
      keepalive: null,
      userTimeoutMs: null,
      retries2: null,
      windowS: 10,
      ignoreSigterm: false,
      graceMs: 2000,
    });
  });

  it('treats commander\'s own defaults ("off", "10", "2") the same as no flags', () => {
    expect(parseSettings({ keepalive: "off", window: "10", grace: "2" })).toEqual(
      parseSettings({}),
    );
  });
});

describe("parseSettings valid values", () => {
  it("--keepalive 1,1,2", () => {
    expect(parseSettings({ keepalive: "1,1,2" }).keepalive).toEqual({
      idle: 1,
      interval: 1,
      count: 2,
    });
  });

  it("--keepalive at the kernel's limits", () => {
    expect(parseKeepalive("32767,32767,127")).toEqual({
      idle: 32767,
      interval: 32767,
      count: 127,
    });
    expect(parseKeepalive("off")).toBeNull();
  });

  it("--user-timeout 3000", () => {
    expect(parseSettings({ userTimeout: "3000" }).userTimeoutMs).toBe(3000);
    expect(parseSettings({ userTimeout: "1" }).userTimeoutMs).toBe(1);
    expect(parseSettings({ userTimeout: "3600000" }).userTimeoutMs).toBe(3_600_000);
  });

  it("--retries2 5 and its limits", () => {
    expect(parseSettings({ retries2: "5" }).retries2).toBe(5);
    expect(parseSettings({ retries2: "1" }).retries2).toBe(1);
    expect(parseSettings({ retries2: "30" }).retries2).toBe(30);
  });

  it.each([
    ["2.5s", 2.5],
    ["500ms", 0.5],
    ["2.5", 2.5],
    ["10s", 10],
    ["0.1", 0.1],
    ["100ms", 0.1],
    [String(MAX_WINDOW_S), 1200],
    ["1200s", 1200],
  ])("--window %s is %d s", (value, seconds) => {
    expect(parseSettings({ window: value }).windowS).toBeCloseTo(seconds, 9);
  });

  it.each([
    ["0", 0],
    ["0ms", 0],
    ["1.5", 1500],
    ["250ms", 250],
    ["60", 60000],
    ["3s", 3000],
  ])("--grace %s is %d ms", (value, ms) => {
    expect(parseSettings({ grace: value }).graceMs).toBe(ms);
  });

  it("passes --ignore-sigterm through", () => {
    expect(parseSettings({ ignoreSigterm: true }).ignoreSigterm).toBe(true);
  });

  it("combines all flags", () => {
    expect(
      parseSettings({
        keepalive: "5,2,3",
        userTimeout: "4000",
        retries2: "8",
        window: "30s",
        grace: "1",
        ignoreSigterm: true,
        engine: "node",
      }),
    ).toMatchObject({
      engine: "node",
      keepalive: { idle: 5, interval: 2, count: 3 },
      userTimeoutMs: 4000,
      retries2: 8,
      windowS: 30,
      ignoreSigterm: true,
      graceMs: 1000,
    });
  });
});

describe("parseSettings bad values", () => {
  const cases: [string, SettingFlags][] = [
    ["--engine", { engine: "python" }],
    // --keepalive
    ["--keepalive", { keepalive: "1,2" }],
    ["--keepalive", { keepalive: "1,1,2,3" }],
    ["--keepalive", { keepalive: "1" }],
    ["--keepalive", { keepalive: "" }],
    ["--keepalive", { keepalive: "on" }],
    ["--keepalive", { keepalive: "0,1,2" }],
    ["--keepalive", { keepalive: "1,0,2" }],
    ["--keepalive", { keepalive: "1,1,0" }],
    ["--keepalive", { keepalive: "1,1,128" }],
    ["--keepalive", { keepalive: "32768,1,1" }],
    ["--keepalive", { keepalive: "1,32768,1" }],
    ["--keepalive", { keepalive: "-1,1,2" }],
    ["--keepalive", { keepalive: "1.5,1,2" }],
    ["--keepalive", { keepalive: "a,b,c" }],
    ["--keepalive", { keepalive: "1,,2" }],
    // --user-timeout
    ["--user-timeout", { userTimeout: "0" }],
    ["--user-timeout", { userTimeout: "-5" }],
    ["--user-timeout", { userTimeout: "abc" }],
    ["--user-timeout", { userTimeout: "1.5" }],
    ["--user-timeout", { userTimeout: "3600001" }],
    ["--user-timeout", { userTimeout: "1e3" }],
    ["--user-timeout", { userTimeout: "" }],
    ["--user-timeout", { userTimeout: "3s" }],
    // --retries2
    ["--retries2", { retries2: "0" }],
    ["--retries2", { retries2: "31" }],
    ["--retries2", { retries2: "-1" }],
    ["--retries2", { retries2: "five" }],
    ["--retries2", { retries2: "2.0" }],
    // --window
    ["--window", { window: "0" }],
    ["--window", { window: "0s" }],
    ["--window", { window: "50ms" }],
    ["--window", { window: "0.05" }],
    ["--window", { window: "5000" }],
    ["--window", { window: "1201" }],
    ["--window", { window: "-1" }],
    ["--window", { window: "ten" }],
    ["--window", { window: "10m" }],
    ["--window", { window: "1e2" }],
    ["--window", { window: "" }],
    ["--window", { window: "Infinity" }],
    // --grace
    ["--grace", { grace: "-1" }],
    ["--grace", { grace: "61" }],
    ["--grace", { grace: "60001ms" }],
    ["--grace", { grace: "soon" }],
    ["--grace", { grace: "NaN" }],
  ];

  it("has a big enough table", () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases)("%s %j is a UsageError naming the flag", (flag, flags) => {
    const err = usageError(() => parseSettings(flags));
    expect(err.message.startsWith(`${flag} `)).toBe(true);
    expect(err.message).not.toContain("\n");
  });

  it("quotes what it got for a value that is not a number", () => {
    expect(usageError(() => parseSettings({ userTimeout: "abc" })).message).toBe(
      '--user-timeout takes a whole number of milliseconds from 1 to 3600000; got "abc"',
    );
    expect(usageError(() => parseSettings({ window: "ten" })).message).toBe(
      '--window takes a duration in seconds such as 10, 2.5s or 500ms; got "ten"',
    );
  });

  it("gives the range for a value out of range", () => {
    expect(usageError(() => parseSettings({ retries2: "31" })).message).toBe(
      "--retries2 31 is out of range: use 1 to 30 retransmissions",
    );
    expect(usageError(() => parseSettings({ window: "5000" })).message).toBe(
      "--window 5000 is out of range: use 0.1 to 1200 s",
    );
    expect(usageError(() => parseSettings({ grace: "61" })).message).toBe(
      "--grace 61 is out of range: use 0 to 60 s",
    );
  });

  it("explains the keepalive format and the kernel's keepalive limits", () => {
    expect(usageError(() => parseKeepalive("1,2")).message).toContain("IDLE,INTVL,CNT");
    expect(usageError(() => parseKeepalive("1,1,128")).message).toContain("CNT from 1 to 127");
  });

  it("reports the first bad flag when several are bad (keepalive before window)", () => {
    const err = usageError(() => parseSettings({ keepalive: "x", window: "0" }));
    expect(err.message.startsWith("--keepalive")).toBe(true);
  });
});

describe("--icmp-ratelimit", () => {
  it("absent: null, the router keeps the kernel's default", () => {
    expect(parseSettings({}).icmpRatelimitMs).toBeNull();
  });
  it("0 turns the limit off; any whole number of ms up to 60000", () => {
    expect(parseSettings({ icmpRatelimit: "0" }).icmpRatelimitMs).toBe(0);
    expect(parseSettings({ icmpRatelimit: "250" }).icmpRatelimitMs).toBe(250);
  });
  it.each(["-1", "1.5", "fast", "60001"])("%s is a usage error naming the flag", (v) => {
    expect(() => parseSettings({ icmpRatelimit: v })).toThrow(/--icmp-ratelimit/);
  });
});
