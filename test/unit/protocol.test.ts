// The runner <-> agent protocol checks what crosses the boundary: a command or a message with a
// missing or renamed field is rejected, naming the field.
import { describe, expect, it } from "vitest";
import { briefTcpInfo } from "../../src/agent/tcpinfo.js";
import { commandSchema, messageSchema, replySchemas } from "../../src/protocol.js";

const spec = {
  conn: "idle",
  workload: "idle",
  ip: "203.0.113.2",
  port: 7000,
  options: { keepalive: null, userTimeoutMs: null },
  sendIntervalMs: 200,
};

describe("protocol", () => {
  it("accepts the commands the runner sends", () => {
    expect(commandSchema.parse({ id: 1, op: "connect", specs: [spec] }).op).toBe("connect");
    expect(commandSchema.parse({ id: 2, op: "act", action: "pause-accept", backlog: 0 })).toEqual({
      id: 2,
      op: "act",
      action: "pause-accept",
      backlog: 0,
    });
  });

  it("rejects a renamed field and says which", () => {
    const renamed = { ...spec, workload: undefined, load: "idle" };
    const checked = commandSchema.safeParse({ id: 1, op: "connect", specs: [renamed] });
    expect(checked.success).toBe(false);
    expect(checked.error?.issues[0].path).toEqual(["specs", 0, "workload"]);
    expect(commandSchema.safeParse({ id: 3, op: "act", action: "explode" }).success).toBe(false);
    expect(commandSchema.safeParse({ id: 4, op: "crash-server" }).success).toBe(false);
  });

  it("checks the agent's messages and each reply's payload", () => {
    const event = {
      type: "event",
      t: 12.5,
      side: "client",
      conn: "idle",
      call: "recv",
      result: "EOF",
    };
    expect(messageSchema.parse(event)).toEqual(event);
    expect(messageSchema.safeParse({ ...event, side: "router" }).success).toBe(false);
    expect(replySchemas.act.safeParse({ type: "reply", id: 1, ok: true }).success).toBe(false);
    expect(replySchemas.act.parse({ type: "reply", id: 1, ok: true, t: 5 })).toEqual({ t: 5 });
    expect(replySchemas.connect.parse({ connected: null })).toEqual({ connected: null });
  });
});

describe("a brief snapshot", () => {
  const full = {
    state: "ESTABLISHED",
    retransmits: 0,
    probes: 1,
    backoff: 0,
    rtoUs: 204_000,
    unacked: 0,
    lastDataSentMs: 900,
    lastDataRecvMs: 850,
    lastAckRecvMs: 300,
    rttUs: 51,
    totalRetrans: 0,
  };

  it("is asked for with brief; a reading in full is checked and kept as a brief one", () => {
    expect(commandSchema.parse({ id: 4, op: "snapshot", brief: true })).toEqual({
      id: 4,
      op: "snapshot",
      brief: true,
    });
    const reply = { t: 5, info: { a: { ...full, t: 4 }, b: briefTcpInfo(full, 4.5), c: null } };
    expect(replySchemas.snapshot.parse(reply)).toEqual({
      t: 5,
      info: { a: briefTcpInfo(full, 4), b: briefTcpInfo(full, 4.5), c: null },
    });
    const { rttUs: _missing, ...short } = briefTcpInfo(full, 1);
    expect(replySchemas.snapshot.safeParse({ t: 5, info: { a: short } }).success).toBe(false);
  });

  it("keeps of a reading what the predictions read, and its time", () => {
    expect(briefTcpInfo(full, 12.5)).toEqual({
      rtoUs: 204_000,
      rttUs: 51,
      lastDataRecvMs: 850,
      lastAckRecvMs: 300,
      t: 12.5,
    });
  });
});
