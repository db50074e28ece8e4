import { describe, expect, it } from "vitest";
import { isFailure } from "../../src/failure.js";

describe("isFailure(): ordinary socket calls", () => {
  it.each([
    ["recv", "OK"],
    ["send", "OK"],
    ["connect", "OK"],
    ["recv", "EAGAIN"],
    ["send", "EAGAIN"],
    ["connect", "EINPROGRESS"],
  ])("%s %s is fine", (call, result) => {
    expect(isFailure(call, result)).toBe(false);
  });

  it.each([
    ["recv", "EOF"],
    ["read", "EOF"],
    ["recv", "ECONNRESET"],
    ["recv", "ETIMEDOUT"],
    ["send", "EPIPE"],
    ["send", "EHOSTUNREACH"],
    ["connect", "ECONNREFUSED"],
    ["connect", "ETIMEDOUT"],
    ["poll", "POLLIN|POLLRDHUP"],
  ])("%s %s is a failure", (call, result) => {
    expect(isFailure(call, result)).toBe(true);
  });
});

describe("isFailure(): tcp_info", () => {
  it("ESTABLISHED is fine", () => {
    expect(isFailure("tcp_info", "ESTABLISHED")).toBe(false);
  });

  it.each(["CLOSE", "CLOSE_WAIT", "FIN_WAIT1", "TIME_WAIT", "LAST_ACK", "OK"])(
    "%s is a failure",
    (state) => {
      expect(isFailure("tcp_info", state)).toBe(true);
    },
  );
});

describe("isFailure(): heartbeat", () => {
  it("only DEAD is a failure", () => {
    expect(isFailure("heartbeat", "DEAD")).toBe(true);
    expect(isFailure("heartbeat", "MISS")).toBe(false);
    expect(isFailure("heartbeat", "OK")).toBe(false);
    expect(isFailure("heartbeat", "ETIMEDOUT")).toBe(false);
  });
});

describe("isFailure(): trace", () => {
  it.each(["CLOSE", "ESTABLISHED", "ETIMEDOUT", "DEAD", "OK"])("trace %s never fails", (r) => {
    expect(isFailure("trace", r)).toBe(false);
  });
});
