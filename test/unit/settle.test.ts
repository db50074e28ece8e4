import { describe, expect, it } from "vitest";
import { FollowUpHold } from "../../src/agent/follow-up-hold.js";
import type { RawEvent } from "../../src/runner/collect.js";
import { unreadBytes } from "../../src/runner/settle.js";

const ev = (side: "client" | "server", call: string, bytes: number, result = "OK"): RawEvent => ({
  t: 0,
  side,
  conn: "writer",
  call,
  result,
  bytes,
});

describe("unreadBytes: what the clients sent that the server has not read", () => {
  it("counts sends (syscall and node engines) against the server's reads", () => {
    expect(unreadBytes([ev("client", "send", 5)])).toBe(5);
    expect(unreadBytes([ev("client", "send", 5), ev("server", "recv", 5)])).toBe(0);
    expect(unreadBytes([ev("client", "write", 5), ev("client", "send", 5)])).toBe(10);
  });
  it("leaves out the urgent workload's MSG_OOB bytes, which the server never reads", () => {
    const oob: RawEvent = { ...ev("client", "send", 1), conn: "urgent", detail: "MSG_OOB" };
    expect(unreadBytes([oob, oob])).toBe(0);
    expect(unreadBytes([oob, ev("client", "send", 5)])).toBe(5);
  });
  it("leaves out failed calls and the client's own reads", () => {
    expect(unreadBytes([ev("client", "send", 5, "EPIPE"), ev("client", "recv", 5)])).toBe(0);
  });
});

describe("FollowUpHold", () => {
  it("runs at once when not held", () => {
    let ran = 0;
    new FollowUpHold(false).whenReleased(() => ran++);
    expect(ran).toBe(1);
  });
  it("waits for release when held, and runs once", () => {
    let ran = 0;
    const hold = new FollowUpHold(true);
    hold.whenReleased(() => ran++);
    expect(ran).toBe(0);
    hold.release();
    hold.release();
    expect(ran).toBe(1);
    hold.whenReleased(() => ran++);
    expect(ran).toBe(2);
  });
});
