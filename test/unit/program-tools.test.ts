import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { nowMs } from "../../src/clock.js";
import { realMinusMonoMs } from "../../src/program/clock.js";
import { EstablishedWatch } from "../../src/program/established.js";
import { OutputTail } from "../../src/program/output-tail.js";
import { parseSs, parseSsTimer } from "../../src/program/ss-info.js";
import { STRACE_FLAGS, substitute, tracedArgv } from "../../src/program/strace-command.js";
import { recorded } from "./strace-fixtures.js";

const ss = (name: string) =>
  readFileSync(new URL(`../fixtures/ss/${name}.txt`, import.meta.url), "utf8");

describe("EstablishedWatch on recorded programs", () => {
  const first = (name: string) => {
    const watch = new EstablishedWatch("203.0.113.2:7000");
    for (const record of recorded(name).records) watch.push(record);
    return watch.first;
  };

  it("python3: the blocking connect() that returned 0", () => {
    const { records } = recorded("python-keepalive-crash");
    const connect = records.find((r) => r.kind === "call" && r.call === "connect");
    expect(first("python-keepalive-crash")?.atMs).toBe(
      connect?.kind === "call" && connect.returnMs,
    );
  });

  it("curl and node: EINPROGRESS, then writable; not the connect() itself", () => {
    for (const name of ["curl-keepalive-crash", "node-keepalive-crash"]) {
      const { records } = recorded(name);
      const connect = records.find((r) => r.kind === "call" && r.call === "connect");
      const found = first(name);
      expect(found).not.toBeNull();
      expect(found?.atMs).toBeGreaterThan(connect?.kind === "call" ? connect.returnMs : 0);
      // The connection was up ~1 s before the fault (record.sh waits 1 s).
      expect(found?.atMs).toBeLessThan(-900);
      expect(found?.atMs).toBeGreaterThan(-1100);
    }
  });

  it("connects to another address do not count", () => {
    const watch = new EstablishedWatch("203.0.113.2:9999");
    for (const record of recorded("curl-keepalive-crash").records) watch.push(record);
    expect(watch.first).toBeNull();
  });
});

describe("ss -tinoeH parsing (recorded in a lab)", () => {
  it("a keepalive timer with its probes, a retransmission timer with backoff", () => {
    const [keepalive, writer] = parseSs(ss("after-crash"));
    expect(keepalive).toMatchObject({
      state: "ESTABLISHED",
      local: "198.51.100.2:60276",
      peer: "203.0.113.2:7000",
      inode: 594116,
      timer: { name: "keepalive", remainingMs: 960, count: 1 },
      rtoMs: 204,
      lastRecvMs: 2072,
    });
    expect(writer).toMatchObject({
      timer: { name: "on", remainingMs: 200, count: 2 },
      rtoMs: 816,
      backoff: 2,
      retransmits: 1,
      totalRetrans: 2,
      unacked: 1,
      lastSendMs: 616,
    });
  });

  it("listening sockets and sockets without a timer", () => {
    const [listen, accepted] = parseSs(ss("server-side"));
    expect(listen).toMatchObject({ state: "LISTEN", local: "203.0.113.2:7000", timer: null });
    expect(accepted).toMatchObject({
      state: "ESTABLISHED",
      peer: "198.51.100.2:60286",
      timer: null,
    });
  });

  it("a state filter drops the state column", () => {
    const line = "0      0      203.0.113.2:7000 198.51.100.2:47944 ino:1 sk:2 <->\n";
    expect(parseSs(line, "ESTABLISHED")[0]).toMatchObject({
      state: "ESTABLISHED",
      local: "203.0.113.2:7000",
      peer: "198.51.100.2:47944",
    });
  });

  it("ss's timer notation", () => {
    expect(parseSsTimer("960ms")).toBe(960);
    expect(parseSsTimer("1.480ms")).toBe(1480);
    expect(parseSsTimer("12sec")).toBe(12_000);
    expect(parseSsTimer("1min30sec")).toBe(90_000);
    expect(parseSsTimer("2min")).toBe(120_000);
    expect(parseSsTimer("soon")).toBeNull();
  });
});

describe("the traced command line", () => {
  it("substitutes {server} and {port}", () => {
    expect(substitute("curl http://{server}:{port}/ {port}", "203.0.113.2", 7000)).toBe(
      "curl http://203.0.113.2:7000/ 7000",
    );
  });

  it("enters the namespace, dies with tcpdrop, gets a PID namespace, and hides fd 3", () => {
    const argv = tracedArgv("/proc/42/ns/net", "curl x");
    expect(argv.slice(0, 6)).toEqual([
      "--net=/proc/42/ns/net",
      "--",
      "setpriv",
      "--pdeathsig",
      "KILL",
      "--",
    ]);
    expect(argv).toContain("--kill-child=SIGKILL");
    expect(argv).toContain("--mount-proc");
    expect(argv.slice(-6)).toEqual([
      "/bin/sh",
      "-c",
      'exec "$0" "$@" 3>&-',
      "/bin/sh",
      "-c",
      "curl x",
    ]);
    expect(STRACE_FLAGS).toEqual(expect.arrayContaining(["-f", "-yy", "--syscall-times=ns"]));
  });
});

describe("OutputTail", () => {
  it("keeps the last lines, bounded", () => {
    const tail = new OutputTail(20);
    for (let i = 0; i < 100; i++) tail.push(`line ${i}\n`);
    expect(tail.lines(2)).toEqual(["line 98", "line 99"]);
    expect(tail.lines(10).join("\n").length).toBeLessThanOrEqual(21);
    expect(new OutputTail().lines()).toEqual([]);
  });
});

describe("realMinusMonoMs", () => {
  it("agrees with Date.now() - monotonic to within a millisecond", () => {
    const offset = realMinusMonoMs();
    const rough = Date.now() - nowMs();
    expect(Math.abs(offset - rough)).toBeLessThan(1.5);
  });
});
