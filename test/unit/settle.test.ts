import { describe, expect, it } from "vitest";
import { FollowUpHold } from "../../src/agent/follow-up-hold.js";
import type { RawEvent } from "../../src/runner/collect.js";
import {
  lastWord,
  openOnServer,
  unaccepted,
  unheard,
  unreadByConnection,
  unreadBytes,
  untilUnread,
} from "../../src/runner/settle.js";

const ev = (side: "client" | "server", call: string, bytes: number, result = "OK"): RawEvent => ({
  t: 0,
  side,
  conn: "writer",
  call,
  result,
  bytes,
});

/** A client connection's connect, from the lab client's address and this port. */
const connect = (conn: string, port: number): RawEvent => ({
  t: 0,
  side: "client",
  conn,
  call: "connect",
  result: "OK",
  detail: `198.51.100.2:${port} -> 203.0.113.2:7000`,
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

describe("unreadByConnection: each client connection's bytes its server has not read", () => {
  const at = (conn: string, side: "client" | "server", call: string, bytes: number) => ({
    ...ev(side, call, bytes),
    conn,
  });

  it("matches the server's reads to the client's connection by the peer's address", () => {
    const raw = [
      connect("writer", 40001),
      connect("heartbeat", 40002),
      at("writer", "client", "send", 5),
      at("198.51.100.2:40001", "server", "recv", 5),
      at("heartbeat", "client", "send", 5),
      at("writer", "client", "send", 5),
    ];
    expect(Object.fromEntries(unreadByConnection(raw))).toEqual({ writer: 5, heartbeat: 5 });
    raw.push(at("198.51.100.2:40002", "server", "recv", 5));
    expect(unreadByConnection(raw).get("heartbeat")).toBe(0);
  });

  it("counts no connection that only sent MSG_OOB bytes", () => {
    const oob: RawEvent = { ...at("urgent", "client", "send", 1), detail: "MSG_OOB" };
    expect(unreadByConnection([connect("urgent", 40003), oob]).size).toBe(0);
  });
});

describe("read-heads (unread-close): the server reads a first byte of each connection", () => {
  const at = (conn: string, side: "client" | "server", call: string, bytes: number) => ({
    ...ev(side, call, bytes),
    conn,
  });
  const sent = [
    connect("writer", 40001),
    connect("idle", 40002),
    at("writer", "client", "send", 5),
  ];
  const headRead = at("198.51.100.2:40001", "server", "recv", 1);

  it("unheard: connections that sent and of which the server has read nothing", () => {
    expect([...unheard(sent)]).toEqual(["writer"]);
    expect(unheard([...sent, headRead]).size).toBe(0);
    expect(unheard([connect("idle", 40002)]).size).toBe(0);
  });

  it("untilUnread with heads waits for the head read, not only for the send", async () => {
    const raw: RawEvent[] = [...sent];
    let done = false;
    const waiting = untilUnread(raw, 1000, true).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false); // 5 bytes unread, but none read yet: the head read may come
    raw.push(headRead);
    await waiting;
    expect(unreadByConnection(raw).get("writer")).toBe(4);
  });

  it("untilUnread without heads takes unread bytes as enough", async () => {
    const started = Date.now();
    await untilUnread([...sent], 1000);
    expect(Date.now() - started).toBeLessThan(500);
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

describe("unaccepted: connections the server has not accepted yet", () => {
  const accept = (port: number): RawEvent => ({
    t: 0,
    side: "server",
    conn: `198.51.100.2:${port}`,
    call: "accept",
    result: "OK",
    detail: `198.51.100.2:${port}`,
  });

  it("counts each connected client until its server end is accepted", () => {
    expect(unaccepted([])).toBe(0);
    expect(unaccepted([connect("idle", 40001), connect("poll", 40002)])).toBe(2);
    expect(unaccepted([connect("idle", 40001), connect("poll", 40002), accept(40002)])).toBe(1);
    expect(unaccepted([accept(40001), connect("idle", 40001)])).toBe(0);
    // behind a NAT the server sees the router's address: counted all the same
    expect(unaccepted([connect("idle", 40001), accept(50001)])).toBe(0);
  });

  it("a connect that failed waits for nothing", () => {
    expect(unaccepted([{ ...connect("idle", 40001), result: "ECONNREFUSED" }])).toBe(0);
  });
});

describe("lastWord: the server's answer to each client's close", () => {
  const server = (conn: string, call: string, result = "OK"): RawEvent => ({
    t: 0,
    side: "server",
    conn,
    call,
    result,
  });

  it("counts the server connections accepted and not closed", () => {
    const a = "198.51.100.2:40001";
    const b = "198.51.100.2:40002";
    expect(openOnServer([server(a, "accept"), server(b, "accept")])).toBe(2);
    expect(openOnServer([server(a, "accept"), server(b, "accept"), server(a, "close")])).toBe(1);
    expect(openOnServer([server("listener", "accept", "EMFILE")])).toBe(0);
  });

  it("returns once the server has closed, or once nothing more comes", async () => {
    const raw = [server("p", "accept")];
    setTimeout(() => raw.push(server("p", "recv", "EOF"), server("p", "close")), 3);
    await lastWord(raw);
    expect(openOnServer(raw)).toBe(0);
    // a server that is gone says nothing: lastWord gives up (after its quiet time)
    const silent = [server("q", "accept")];
    await lastWord(silent);
    expect(openOnServer(silent)).toBe(1);
  });
});
