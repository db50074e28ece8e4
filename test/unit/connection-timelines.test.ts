// What a scale report builds its connections from: each connection's events, found once and
// built when asked (ConnectionTimelines), and one copy of each repeated text (TextPool).
import { describe, expect, it } from "vitest";
import { ConnectionTimelines, type RawEvent, timelines } from "../../src/runner/collect.js";
import { TextPool } from "../../src/runner/text-pool.js";

const FAULT = 50_000;
const ADDR = (port: number) => `198.51.100.2:${port}`;

function rawLog(n: number): RawEvent[] {
  const out: RawEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const id = `idle-${i}`;
    const addr = ADDR(1024 + i);
    out.push({
      t: FAULT - 2000 + i,
      side: "client",
      conn: id,
      call: "connect",
      result: "OK",
      detail: `${addr} -> 203.0.113.2:7000`,
    });
    out.push({
      t: FAULT - 1990 + i,
      side: "server",
      conn: addr,
      call: "accept",
      result: "OK",
      detail: addr,
    });
    out.push({
      t: FAULT - 1000 + i,
      side: "client",
      conn: id,
      call: "send",
      result: "OK",
      bytes: i % 3,
    });
    out.push({ t: FAULT + 3000 - i, side: "client", conn: id, call: "recv", result: "ETIMEDOUT" });
  }
  return out;
}

describe("ConnectionTimelines", () => {
  const events = rawLog(40);
  const ids = Array.from({ length: 40 }, (_, i) => `idle-${i + 1}`);

  it("are the timelines: every connection, both sides, in time order", () => {
    const all = timelines(events, FAULT, ids);
    expect([...all.keys()]).toEqual(ids);
    for (const id of ids) {
      const times = all.get(id)?.map((e) => e.tMs) ?? [];
      expect(times).toHaveLength(4);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }
  });

  it("gives each connection both sides of its calls in time order, the same each time", () => {
    const found = new ConnectionTimelines(events, FAULT, ids);
    const first = found.events("idle-7");
    expect(first.map((e) => `${e.side} ${e.call} ${e.result}`)).toEqual([
      "client connect OK",
      "server accept OK",
      "client send OK",
      "client recv ETIMEDOUT",
    ]);
    expect(first.every((e) => e.conn === "idle-7")).toBe(true);
    expect(first.at(-1)?.tMs).toBe(2993);
    expect(found.events("idle-7")).toEqual(first);
    expect(found.events("idle-99")).toEqual([]);
  });
});

describe("TextPool", () => {
  it("hands back the first copy of a text for an equal one built later", () => {
    const pool = new TextPool();
    const words = ["keepalive", "1 s"];
    expect(pool.get(words.join(" "))).toBe("keepalive 1 s");
    expect(pool.get(`keepalive ${"1 s"}`)).toBe("keepalive 1 s");
    expect(pool.get("other")).toBe("other");
  });
});
