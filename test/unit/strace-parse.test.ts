import { describe, expect, it } from "vitest";
import { StraceParser } from "../../src/program/strace-parse.js";
import type { TraceCall, TraceRecord } from "../../src/program/trace-types.js";
import { recorded } from "./strace-fixtures.js";

const calls = (records: TraceRecord[]) =>
  records.filter((r): r is TraceCall => r.kind === "call" && r.socket !== null);

function parseAll(lines: string[], offset = 0): TraceRecord[] {
  const parser = new StraceParser(offset);
  return [...lines.flatMap((l) => parser.push(l)), ...parser.end()];
}

describe("StraceParser on recorded programs", () => {
  it("python3 with keepalive 1,1,2 under host-crash: options, ETIMEDOUT ~2.1 s after the fault, exit 3", () => {
    const { records } = recorded("python-keepalive-crash");
    const tcp = calls(records);
    const options = tcp.filter((c) => c.call === "setsockopt").map((c) => c.option);
    expect(options).toEqual([
      { level: "SOL_SOCKET", name: "SO_KEEPALIVE", value: 1 },
      { level: "SOL_TCP", name: "TCP_KEEPIDLE", value: 1 },
      { level: "SOL_TCP", name: "TCP_KEEPINTVL", value: 1 },
      { level: "SOL_TCP", name: "TCP_KEEPCNT", value: 2 },
    ]);
    const connect = tcp.find((c) => c.call === "connect");
    expect(connect).toMatchObject({ result: "OK", address: "203.0.113.2:7000" });
    expect(connect?.socket?.inode).toBeGreaterThan(0);
    const recv = tcp.find((c) => c.call === "recvfrom");
    expect(recv).toMatchObject({ result: "ETIMEDOUT", errno: "ETIMEDOUT", ret: -1 });
    expect(recv?.socket?.tuple?.dst).toBe("203.0.113.2:7000");
    // strace stamps the entry; the call returned ~3.05 s later (keepalive from the last send).
    expect((recv?.returnMs ?? 0) - (recv?.startMs ?? 0)).toBeGreaterThan(3000);
    expect(recv?.returnMs).toBeGreaterThan(2000);
    expect(recv?.returnMs).toBeLessThan(2200);
    const exits = records.filter((r) => r.kind === "exit");
    expect(exits.map((e) => e.kind === "exit" && e.code)).toEqual([3, 3]);
  });

  it("curl: connect EINPROGRESS, POLLOUT, SO_ERROR 0, then recvfrom ETIMEDOUT and exit 56", () => {
    const tcp = calls(recorded("curl-keepalive-crash").records);
    const connect = tcp.find((c) => c.call === "connect");
    expect(connect?.result).toBe("EINPROGRESS");
    const soError = tcp.find((c) => c.option?.name === "SO_ERROR");
    expect(soError?.option?.value).toBe(0);
    const polls = recorded("curl-keepalive-crash").records.filter(
      (r): r is TraceCall => r.kind === "call" && r.call === "poll" && (r.ready?.length ?? 0) > 0,
    );
    expect(polls[0].ready).toEqual([{ fd: 5, events: ["POLLOUT"] }]);
    expect(polls.at(-1)?.ready?.[0].events).toContain("POLLERR");
    expect(tcp.find((c) => c.call === "sendto")?.bytes).toBe(80);
    expect(tcp.find((c) => c.result === "ETIMEDOUT")?.call).toBe("recvfrom");
  });

  it("node: epoll events carry the fd libuv stored, epoll_ctl names it", () => {
    const { records } = recorded("node-keepalive-crash");
    const ctl = records.find(
      (r): r is TraceCall => r.kind === "call" && r.epoll !== undefined && r.socket !== null,
    );
    expect(ctl?.epoll).toEqual({ op: "EPOLL_CTL_ADD", fd: 19, data: 19 });
    const ready = records.filter(
      (r): r is TraceCall => r.kind === "call" && r.call === "epoll_pwait" && !!r.ready?.length,
    );
    expect(ready.some((r) => r.ready?.[0].events.includes("EPOLLERR"))).toBe(true);
    expect(calls(records).find((c) => c.call === "read")?.result).toBe("ETIMEDOUT");
  });

  it("node under peer-kill: read returns EOF", () => {
    const read = calls(recorded("node-kill").records).find((c) => c.call === "read");
    expect(read).toMatchObject({ result: "EOF", ret: 0, bytes: 0 });
  });

  it("a call cut short by the end of the trace is blocked, with its socket", () => {
    const { records } = recorded("python-hang-crash");
    const blocked = records.filter((r) => r.kind === "blocked");
    expect(blocked).toHaveLength(1);
    expect(blocked[0]).toMatchObject({ call: "recvfrom", fd: 3, endedMs: null });
    expect(blocked[0].kind === "blocked" && blocked[0].socket?.tuple?.dst).toBe("203.0.113.2:7000");
  });
});

describe("StraceParser on single lines", () => {
  const T = "1796106762.400000000";

  it("joins unfinished and resumed halves by PID; return = start + duration", () => {
    const records = parseAll([
      `7 ${T} recvfrom(3<TCP:[198.51.100.2:5000->203.0.113.2:7000]>,  <unfinished ...>`,
      `8 1796106762.500000000 close(4<pipe:[1]>) = 0 <0.000010000>`,
      `7 1796106764.900000000 <... recvfrom resumed>0x55, 100, 0, NULL, NULL) = -1 ECONNRESET (Connection reset by peer) <2.499000000>`,
    ]);
    const recv = records.find((r): r is TraceCall => r.kind === "call" && r.pid === 7);
    expect(recv).toMatchObject({ call: "recvfrom", result: "ECONNRESET", fd: 3 });
    expect(recv?.startMs).toBeCloseTo(1796106762400, 3);
    expect(recv?.returnMs).toBeCloseTo(1796106764899, 3);
  });

  it("maps CLOCK_REALTIME to monotonic with the sampled offset", () => {
    const [close] = parseAll([`1 ${T} close(5<TCP:[9]>) = 0 <0.000001000>`], 1796106762000);
    expect(close.kind === "call" && close.startMs).toBeCloseTo(400, 6);
  });

  it("exits, kills, signals; a process killed inside a call leaves it blocked with an end", () => {
    const records = parseAll([
      `9 ${T} read(3<TCP:[198.51.100.2:5000->203.0.113.2:7000]>,  <unfinished ...>`,
      `9 1796106763.000000000 +++ killed by SIGKILL +++`,
      `10 ${T} --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=10, si_uid=0} ---`,
      `11 ${T} +++ killed by SIGSEGV (core dumped) +++`,
      `12 ${T} +++ exited with 0 +++`,
    ]);
    expect(records.map((r) => r.kind)).toEqual(["blocked", "exit", "signal", "exit", "exit"]);
    expect(records[0]).toMatchObject({ call: "read", endedMs: 1796106763000 });
    expect(records[1]).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(records[2]).toMatchObject({ signal: "SIGPIPE" });
    expect(records[3]).toMatchObject({ signal: "SIGSEGV" });
    expect(records[4]).toMatchObject({ code: 0, signal: null });
  });

  it("ERESTARTSYS is an interruption, not a result", () => {
    const [poll] = parseAll([
      `5 ${T} poll([{fd=5<TCP:[1.2.3.4:1->5.6.7.8:2]>, events=POLLIN}], 1, -1) = ? ERESTART_RESTARTBLOCK (Interrupted by signal) <0.5>`,
    ]);
    expect(poll).toMatchObject({ call: "poll", interrupted: true, ret: -1 });
  });

  it("IPv6 tuples, accept4, select, SO_LINGER and SO_ERROR as text", () => {
    const records = parseAll([
      `1 ${T} accept4(3<TCPv6:[[2001:db8:2::2]:7000]>, {sa_family=AF_INET6, sin6_port=htons(5000)}, [28], SOCK_CLOEXEC) = 4<TCPv6:[[2001:db8:2::2]:7000->[2001:db8:1::2]:5000]> <0.000010000>`,
      `1 ${T} select(6, [4 5], [], NULL, {tv_sec=1, tv_usec=0}) = 1 (in [5], left {tv_sec=0, tv_usec=99}) <0.1>`,
      `1 ${T} setsockopt(4<TCPv6:[[2001:db8:2::2]:7000->[2001:db8:1::2]:5000]>, SOL_SOCKET, SO_LINGER, {l_onoff=1, l_linger=0}, 8) = 0 <0.000001>`,
      `1 ${T} getsockopt(5<TCP:[198.51.100.2:5000->203.0.113.2:7000]>, SOL_SOCKET, SO_ERROR, [ECONNREFUSED], [4]) = 0 <0.000001>`,
      `1 ${T} connect(6<TCPv6:[77]>, {sa_family=AF_INET6, sin6_port=htons(7000), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2001:db8:2::2", &sin6_addr), sin6_scope_id=0}, 28) = -1 ECONNREFUSED (Connection refused) <0.001>`,
    ]) as TraceCall[];
    expect(records[0]).toMatchObject({ call: "accept4", fd: 4, result: "OK" });
    expect(records[0].socket?.tuple).toEqual({
      src: "[2001:db8:2::2]:7000",
      dst: "[2001:db8:1::2]:5000",
    });
    expect(records[1].ready).toEqual([{ fd: 5, events: ["READ"] }]);
    expect(records[2].option).toEqual({
      level: "SOL_SOCKET",
      name: "SO_LINGER",
      value: "{l_onoff=1, l_linger=0}",
    });
    expect(records[3].option?.value).toBe("ECONNREFUSED");
    expect(records[4]).toMatchObject({ address: "[2001:db8:2::2]:7000", result: "ECONNREFUSED" });
    expect(records[4].socket?.inode).toBe(77);
  });

  it("ignores lines that are not strace's", () => {
    expect(parseAll(["", "strace: Process 5 attached", "garbage"])).toEqual([]);
  });
});
