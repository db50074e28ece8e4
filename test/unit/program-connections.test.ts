import { describe, expect, it } from "vitest";
import { failureOf, groupConnections } from "../../src/program/connections.js";
import { StraceParser } from "../../src/program/strace-parse.js";
import type { TraceCall } from "../../src/program/trace-types.js";
import { recorded } from "./strace-fixtures.js";

describe("groupConnections() on recorded programs", () => {
  it("python3: one connection by 4-tuple, its calls from connect on, keepalive options, recv ETIMEDOUT", () => {
    const [conn, ...others] = groupConnections(recorded("python-keepalive-crash").records);
    expect(others).toEqual([]);
    expect(conn.id).toMatch(/^198\.51\.100\.2:\d+->203\.0\.113\.2:7000$/);
    expect(conn.via).toBe("connect");
    expect(conn.calls[0].call).toBe("connect");
    expect(conn.options.map((o) => [o.name, o.value])).toEqual([
      ["SO_KEEPALIVE", 1],
      ["TCP_KEEPIDLE", 1],
      ["TCP_KEEPINTVL", 1],
      ["TCP_KEEPCNT", 2],
    ]);
    expect(conn.firstFailure).toMatchObject({
      call: "recvfrom",
      family: "recv",
      result: "ETIMEDOUT",
    });
    // getpeername's ENOTCONN after the failure is not the connection's failure.
    expect(conn.firstFailure?.atMs).toBeGreaterThan(2000);
  });

  it("curl: the POLLOUT that finished connect() and the POLLERR before recvfrom belong to it", () => {
    const [conn] = groupConnections(recorded("curl-keepalive-crash").records);
    const polls = conn.calls.filter((c) => c.call === "poll");
    expect(polls[0].ready).toEqual([{ fd: 5, events: ["POLLOUT"] }]);
    expect(polls.at(-1)?.ready?.[0].events).toEqual(expect.arrayContaining(["POLLERR", "POLLHUP"]));
    expect(conn.calls.map((c) => c.call).slice(0, 5)).toEqual([
      "setsockopt",
      "setsockopt",
      "setsockopt",
      "setsockopt",
      "connect",
    ]);
    expect(conn.firstFailure).toMatchObject({
      call: "recvfrom",
      family: "recv",
      result: "ETIMEDOUT",
    });
  });

  it("node: epoll events mapped to the socket through epoll_ctl; read is recv", () => {
    const [conn] = groupConnections(recorded("node-keepalive-crash").records);
    const epoll = conn.calls.filter((c) => c.call === "epoll_pwait");
    expect(epoll.map((c) => c.ready?.[0].events[0])).toEqual(["EPOLLOUT", "EPOLLIN"]);
    expect(conn.firstFailure).toMatchObject({ call: "read", family: "recv", result: "ETIMEDOUT" });
    // node sets keepalive twice: libuv's defaults first, then setKeepAlive(true, 1000).
    expect(conn.options.filter((o) => o.name === "TCP_KEEPIDLE").map((o) => o.value)).toEqual([
      60, 1,
    ]);
  });

  it("peer-kill: node and curl see EOF within a few ms of the fault", () => {
    for (const name of ["node-kill", "curl-kill"]) {
      const [conn] = groupConnections(recorded(name).records);
      expect(conn.firstFailure?.result).toBe("EOF");
      expect(conn.firstFailure?.family).toBe("recv");
      expect(conn.firstFailure?.atMs).toBeGreaterThan(0);
      expect(conn.firstFailure?.atMs).toBeLessThan(50);
    }
  });

  it("a hang: no failure, and the read still blocked since before the fault", () => {
    const [conn] = groupConnections(recorded("python-hang-crash").records);
    expect(conn.firstFailure).toBeNull();
    expect(conn.blocked).toHaveLength(1);
    expect(conn.blocked[0]).toMatchObject({ call: "recvfrom", endedMs: null });
    expect(conn.blocked[0].startMs).toBeLessThan(0);
  });
});

describe("groupConnections() edge cases", () => {
  const T = "1796106762.400000000";
  const group = (lines: string[]) => {
    const parser = new StraceParser(0);
    return groupConnections([...lines.flatMap((l) => parser.push(l)), ...parser.end()]);
  };

  it("a refused connect without a tuple is its own connection, failed at connect", () => {
    const [conn] = group([
      `3 ${T} socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3<TCP:[11]> <0.00001>`,
      `3 ${T} connect(3<TCP:[11]>, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr("203.0.113.2")}, 16) = -1 ECONNREFUSED (Connection refused) <0.001>`,
    ]);
    expect(conn.dst).toBe("203.0.113.2:7000");
    expect(conn.firstFailure).toMatchObject({ call: "connect", result: "ECONNREFUSED" });
  });

  it("a connect to a dead host still blocked at the end", () => {
    const [conn] = group([
      `3 ${T} socket(AF_INET, SOCK_STREAM, IPPROTO_TCP) = 3<TCP:[11]> <0.00001>`,
      `3 ${T} connect(3<TCP:[11]>, {sa_family=AF_INET, sin_port=htons(7000), sin_addr=inet_addr("203.0.113.2")}, 16 <unfinished ...>`,
    ]);
    expect(conn.blocked[0].call).toBe("connect");
  });

  it("accepted connections are named from the server's side; descriptors reused after close", () => {
    const conns = group([
      `1 ${T} accept4(3<TCP:[203.0.113.2:7000]>, NULL, NULL, 0) = 4<TCP:[203.0.113.2:7000->198.51.100.2:5000]> <0.01>`,
      `1 ${T} read(4<TCP:[203.0.113.2:7000->198.51.100.2:5000]>, ""..., 10) = 0 <0.01>`,
      `1 ${T} close(4<TCP:[203.0.113.2:7000->198.51.100.2:5000]>) = 0 <0.01>`,
      `1 ${T} accept4(3<TCP:[203.0.113.2:7000]>, NULL, NULL, 0) = 4<TCP:[203.0.113.2:7000->198.51.100.2:5002]> <0.01>`,
    ]);
    expect(conns.map((c) => [c.via, c.dst, c.firstFailure?.result ?? null])).toEqual([
      ["accept", "198.51.100.2:5000", "EOF"],
      ["accept", "198.51.100.2:5002", null],
    ]);
  });

  it("failureOf: EAGAIN and a bad epoll_ctl are not failures; SO_ERROR set is", () => {
    const base: TraceCall = {
      kind: "call",
      pid: 1,
      call: "recvfrom",
      fd: 3,
      socket: null,
      ret: -1,
      result: "EAGAIN",
      errno: "EAGAIN",
      startMs: 0,
      returnMs: 1,
    };
    expect(failureOf(base)).toBeNull();
    expect(failureOf({ ...base, call: "epoll_ctl", result: "EEXIST" })).toBeNull();
    const soError = { level: "SOL_SOCKET", name: "SO_ERROR", value: "ETIMEDOUT" };
    expect(failureOf({ ...base, call: "getsockopt", result: "OK", option: soError })).toMatchObject(
      {
        call: "getsockopt",
        result: "ETIMEDOUT",
      },
    );
  });
});
