import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { groupConnections } from "../../src/program/connections.js";
import { childrenOf } from "../../src/program/process-tree.js";
import { describeSettings, programSettings } from "../../src/program/program-settings.js";
import { recorded } from "./strace-fixtures.js";

const SYSCTLS = { keepaliveTime: 7200, keepaliveIntvl: 75, keepaliveProbes: 9 };
const optionsOf = (name: string) => groupConnections(recorded(name).records)[0].options;

describe("programSettings() from recorded programs", () => {
  it("python3 set all three: keepalive 1,1,2", () => {
    const settings = programSettings(optionsOf("python-keepalive-crash"), SYSCTLS);
    expect(settings.keepalive).toEqual({ idle: 1, interval: 1, count: 2 });
    expect(describeSettings(settings)).toBe(
      "SO_KEEPALIVE=1 TCP_KEEPIDLE=1 TCP_KEEPINTVL=1 TCP_KEEPCNT=2",
    );
  });

  it("curl --keepalive-time 1 leaves TCP_KEEPCNT to the sysctl", () => {
    const settings = programSettings(optionsOf("curl-keepalive-crash"), SYSCTLS);
    expect(settings.keepalive).toEqual({ idle: 1, interval: 1, count: 9 });
    expect(describeSettings(settings)).toContain("TCP_KEEPCNT=9 (sysctl)");
  });

  it("node sets keepalive twice; the last values win", () => {
    const settings = programSettings(optionsOf("node-keepalive-crash"), SYSCTLS);
    expect(settings.keepalive).toEqual({ idle: 1, interval: 1, count: 10 });
  });

  it("a program that set nothing: no keepalive", () => {
    const settings = programSettings(optionsOf("python-hang-crash"), SYSCTLS);
    expect(settings).toEqual({ keepalive: null, userTimeoutMs: null, setByProgram: [] });
    expect(describeSettings(settings)).toBe("no keepalive, no TCP_USER_TIMEOUT");
  });

  it("TCP_USER_TIMEOUT, and keepalive switched off again", () => {
    const opt = (name: string, value: number) => ({ level: "SOL_TCP", name, value });
    const settings = programSettings(
      [opt("SO_KEEPALIVE", 1), opt("TCP_USER_TIMEOUT", 3000), opt("SO_KEEPALIVE", 0)],
      SYSCTLS,
    );
    expect(settings.keepalive).toBeNull();
    expect(settings.userTimeoutMs).toBe(3000);
  });
});

describe("childrenOf()", () => {
  it("finds a child this process started, and nothing for a pid that is gone", async () => {
    const child = spawn("sleep", ["5"]);
    try {
      expect(childrenOf(process.pid)).toContain(child.pid);
    } finally {
      child.kill("SIGKILL");
    }
    expect(childrenOf(2 ** 22 + 1)).toEqual([]);
  });
});
