import { describe, expect, it } from "vitest";
import {
  firstFailure,
  peerMap,
  processEvents,
  type RawEvent,
  timelines,
  toEvent,
} from "../../src/runner/collect.js";
import type { SocketEvent } from "../../src/types.js";

const FAULT = 50_000;
const IDLE_ADDR = "198.51.100.2:40312";
const WRITER_ADDR = "198.51.100.2:40314";

const client = (t: number, conn: string, call: string, result: string, extra = {}): RawEvent => ({
  t,
  side: "client",
  conn,
  call,
  result,
  ...extra,
});
const server = (t: number, conn: string, call: string, result: string, extra = {}): RawEvent => ({
  t,
  side: "server",
  conn,
  call,
  result,
  ...extra,
});

/** A plausible raw log: both connects, the server's accepts, traffic, the fault, failures. */
function rawLog(): RawEvent[] {
  return [
    server(FAULT - 3000, "listener", "listen", "OK", { detail: "203.0.113.2:7000" }),
    client(FAULT - 2000, "idle", "connect", "OK", { detail: `${IDLE_ADDR} -> 203.0.113.2:7000` }),
    client(FAULT - 1990, "writer", "connect", "OK", {
      detail: `${WRITER_ADDR} -> 203.0.113.2:7000`,
    }),
    server(FAULT - 1995, IDLE_ADDR, "accept", "OK", { detail: IDLE_ADDR }),
    server(FAULT - 1985, WRITER_ADDR, "accept", "OK", { detail: WRITER_ADDR }),
    client(FAULT - 1000, "writer", "send", "OK", { bytes: 5 }),
    server(FAULT - 999.5, WRITER_ADDR, "recv", "OK", { bytes: 5 }),
    server(FAULT + 1.2, "process", "signal", "OK", { detail: "SIGTERM" }),
    server(FAULT + 2, IDLE_ADDR, "close", "OK"),
    server(FAULT + 2.5, WRITER_ADDR, "close", "OK"),
    client(FAULT + 3.04, "idle", "recv", "EOF"),
    client(FAULT + 3.56, "writer", "recv", "EOF"),
    // An unknown peer (a connection nobody watched) and the listener are in no timeline.
    server(FAULT + 4, "10.0.0.9:1234", "recv", "OK", { bytes: 1 }),
  ];
}

describe("toEvent", () => {
  it("makes times relative to the fault and rounds them to 0.1 ms", () => {
    expect(toEvent(client(FAULT + 1234.5678, "idle", "recv", "EOF"), FAULT).tMs).toBe(1234.6);
    expect(toEvent(client(FAULT + 0.04, "idle", "recv", "EOF"), FAULT).tMs).toBe(0);
    expect(toEvent(client(FAULT + 0.05, "idle", "recv", "EOF"), FAULT).tMs).toBe(0.1);
    expect(toEvent(client(FAULT - 2000.26, "idle", "connect", "OK"), FAULT).tMs).toBe(-2000.3);
    expect(toEvent(client(FAULT, "idle", "recv", "EOF"), FAULT).tMs).toBe(0);
  });

  it("copies side, conn, call and result, and nothing undefined", () => {
    const e = toEvent(client(FAULT + 10, "writer", "send", "EPIPE"), FAULT);
    expect(e).toEqual({ tMs: 10, side: "client", conn: "writer", call: "send", result: "EPIPE" });
    expect(Object.keys(e).sort()).toEqual(["call", "conn", "result", "side", "tMs"]);
  });

  it("keeps bytes only for successful calls", () => {
    expect(toEvent(client(FAULT, "writer", "send", "OK", { bytes: 5 }), FAULT).bytes).toBe(5);
    expect(toEvent(client(FAULT, "writer", "send", "OK", { bytes: 0 }), FAULT).bytes).toBe(0);
    const failed = toEvent(client(FAULT, "writer", "send", "EPIPE", { bytes: 5 }), FAULT);
    expect(failed).not.toHaveProperty("bytes");
  });

  it("keeps the detail", () => {
    const e = toEvent(server(FAULT, "process", "signal", "OK", { detail: "SIGTERM" }), FAULT);
    expect(e.detail).toBe("SIGTERM");
  });

  it("relabels the connection when given an id", () => {
    const e = toEvent(server(FAULT + 1, IDLE_ADDR, "close", "OK"), FAULT, "idle");
    expect(e).toEqual({ tMs: 1, side: "server", conn: "idle", call: "close", result: "OK" });
  });
});

describe("peerMap", () => {
  it("maps each client's local address (first word of the connect detail) to its id", () => {
    const map = peerMap(rawLog());
    expect([...map.entries()]).toEqual([
      [IDLE_ADDR, "idle"],
      [":40312", "idle"],
      [WRITER_ADDR, "writer"],
      [":40314", "writer"],
    ]);
  });

  it("ignores server events, other calls and connects without a detail", () => {
    const map = peerMap([
      server(0, IDLE_ADDR, "connect", "OK", { detail: `${IDLE_ADDR} -> x` }),
      client(0, "idle", "send", "OK", { detail: `${IDLE_ADDR} -> x` }),
      client(0, "writer", "connect", "ECONNREFUSED"),
    ]);
    expect(map.size).toBe(0);
  });
});

describe("timelines", () => {
  it("puts server events on the client connection they belong to, in time order", () => {
    const out = timelines(rawLog(), FAULT, ["idle", "writer"]);
    expect([...out.keys()]).toEqual(["idle", "writer"]);
    const brief = (events: SocketEvent[] | undefined) =>
      (events ?? []).map((e) => `${e.tMs} ${e.side} ${e.conn} ${e.call} ${e.result}`);
    expect(brief(out.get("idle"))).toEqual([
      "-2000 client idle connect OK",
      "-1995 server idle accept OK",
      "2 server idle close OK",
      "3 client idle recv EOF",
    ]);
    expect(brief(out.get("writer"))).toEqual([
      "-1990 client writer connect OK",
      "-1985 server writer accept OK",
      "-1000 client writer send OK",
      "-999.5 server writer recv OK",
      "2.5 server writer close OK",
      "3.6 client writer recv EOF",
    ]);
  });

  it("behind a NAT, matches server events by the client's port (the address is the router's)", () => {
    const raw = [
      client(FAULT - 500, "idle", "connect", "OK", { detail: `${IDLE_ADDR} -> s` }),
      server(FAULT - 499, "203.0.113.1:40312", "accept", "OK"),
      server(FAULT + 5, "203.0.113.1:40312", "recv", "ECONNRESET"),
      server(FAULT + 6, "203.0.113.1:50000", "recv", "ECONNRESET"),
    ];
    const out = timelines(raw, FAULT, ["idle"]).get("idle") ?? [];
    expect(out.map((e) => `${e.tMs} ${e.side} ${e.call} ${e.result}`)).toEqual([
      "-500 client connect OK",
      "-499 server accept OK",
      "5 server recv ECONNRESET",
    ]);
  });

  it("sorts events that arrive out of order", () => {
    const raw = [
      client(FAULT - 500, "idle", "connect", "OK", { detail: `${IDLE_ADDR} -> s` }),
      client(FAULT + 900, "idle", "recv", "ETIMEDOUT"),
      server(FAULT + 100, IDLE_ADDR, "recv", "OK", { bytes: 1 }),
      server(FAULT - 600, IDLE_ADDR, "accept", "OK"),
    ];
    const times = (timelines(raw, FAULT, ["idle"]).get("idle") ?? []).map((e) => e.tMs);
    expect(times).toEqual([-600, -500, 100, 900]);
  });

  it("maps server events logged before the client's connect event", () => {
    const raw = [
      server(FAULT - 10, WRITER_ADDR, "accept", "OK"),
      client(FAULT - 9, "writer", "connect", "OK", { detail: `${WRITER_ADDR} -> s` }),
    ];
    const events = timelines(raw, FAULT, ["writer"]).get("writer") ?? [];
    expect(events.map((e) => [e.side, e.conn])).toEqual([
      ["server", "writer"],
      ["client", "writer"],
    ]);
  });

  it("leaves out the listener, process events and unknown peers", () => {
    const out = timelines(rawLog(), FAULT, ["idle", "writer"]);
    const all = [...out.values()].flat();
    expect(all).toHaveLength(10);
    expect(all.some((e) => e.call === "listen" || e.call === "signal")).toBe(false);
    expect(all.every((e) => e.conn === "idle" || e.conn === "writer")).toBe(true);
    expect(all.some((e) => e.call === "recv" && e.bytes === 1)).toBe(false);
  });

  it("has an empty timeline for an id with no events, and drops ids not asked for", () => {
    const out = timelines(rawLog(), FAULT, ["idle", "spare"]);
    expect(out.get("spare")).toEqual([]);
    expect(out.has("writer")).toBe(false);
  });
});

describe("firstFailure", () => {
  const ev = (tMs: number, call: string, result: string, side: "client" | "server" = "client") =>
    ({ tMs, side, conn: "idle", call, result }) satisfies SocketEvent;

  it("is the first failing client call after the fault", () => {
    const events = [
      ev(-100, "send", "OK"),
      ev(5, "send", "OK"),
      ev(20, "send", "EAGAIN"),
      ev(30, "poll", "EINPROGRESS"),
      ev(1500.5, "recv", "ETIMEDOUT"),
      ev(1600, "send", "EPIPE"),
    ];
    expect(firstFailure(events, 10_000)).toEqual({
      call: "recv",
      result: "ETIMEDOUT",
      afterMs: 1500.5,
    });
  });

  it("counts EOF as a failure", () => {
    expect(firstFailure([ev(3, "recv", "EOF")], 10_000)).toEqual({
      call: "recv",
      result: "EOF",
      afterMs: 3,
    });
  });

  it("ignores OK and EAGAIN", () => {
    expect(firstFailure([ev(1, "recv", "OK"), ev(2, "send", "EAGAIN")], 10_000)).toBeNull();
  });

  it("ignores server-side failures", () => {
    const events = [ev(1, "recv", "ECONNRESET", "server"), ev(2, "recv", "EOF")];
    expect(firstFailure(events, 10_000)?.result).toBe("EOF");
    expect(firstFailure([ev(1, "recv", "ECONNRESET", "server")], 10_000)).toBeNull();
  });

  it("ignores failures before the fault", () => {
    const events = [ev(-0.1, "connect", "ECONNREFUSED"), ev(-50, "recv", "ECONNRESET")];
    expect(firstFailure(events, 10_000)).toBeNull();
  });

  it("includes both ends of the window [0, windowMs]", () => {
    expect(firstFailure([ev(0, "recv", "EOF")], 1000)?.afterMs).toBe(0);
    expect(firstFailure([ev(1000, "recv", "ETIMEDOUT")], 1000)?.afterMs).toBe(1000);
  });

  it("ignores failures after the window", () => {
    expect(firstFailure([ev(1000.1, "recv", "ETIMEDOUT")], 1000)).toBeNull();
    const events = [ev(500, "send", "OK"), ev(2500, "send", "EPIPE")];
    expect(firstFailure(events, 2000)).toBeNull();
    expect(firstFailure(events, 3000)?.result).toBe("EPIPE");
  });

  it("is null for no events", () => {
    expect(firstFailure([], 10_000)).toBeNull();
  });

  it("works on a timeline built from raw events", () => {
    const idle = timelines(rawLog(), FAULT, ["idle"]).get("idle") ?? [];
    expect(firstFailure(idle, 10_000)).toEqual({ call: "recv", result: "EOF", afterMs: 3 });
  });
});

describe("processEvents", () => {
  it("keeps only the server process's events, relative to the fault", () => {
    expect(processEvents(rawLog(), FAULT)).toEqual([
      {
        tMs: 1.2,
        side: "server",
        conn: "process",
        call: "signal",
        result: "OK",
        detail: "SIGTERM",
      },
    ]);
  });
});
