// The runner's own packet capture, through the CLI in real labs: the packet socket in the
// router misses nothing (the kernel's drop count, and the router namespace's IP counters against what was
// captured), packet times are on the calls' clock, and the packets that explain the failures
// are in the JSON and in the pcapng: the rebooted host's RST just before the writer's
// ECONNRESET, exactly two unanswered keepalive probes before ETIMEDOUT, the router's ICMP host
// unreachable. Needs root (and Debian's `tshark` to read the pcapng back).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report, RunReport, WirePacket } from "../../src/types.js";
import { isRoot, tcpdrop } from "./helpers.js";

const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!isRoot) console.warn("skipping wire capture tests: they build labs and need root");
else if (!hasTshark) console.warn("the pcapng is not read back: install Debian's `tshark`");

const dir = mkdtempSync(join(tmpdir(), "tcpdrop-wire-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runWire(args: string[]): Promise<RunReport> {
  const res = await tcpdrop(["run", ...args, "--json"]);
  if (res.code === 2) throw new Error(`tcpdrop failed: ${res.stderr}`);
  return (JSON.parse(res.stdout) as Report).runs[0];
}

function callAt(run: RunReport, conn: string, call: string, result: string): number {
  const events = run.connections.find((c) => c.id === conn)?.events ?? [];
  const found = events.find((e) => e.call === call && e.result === result);
  if (!found) throw new Error(`no ${conn} ${call} ${result}`);
  return found.tMs;
}

const packetsOf = (run: RunReport, conn: string): WirePacket[] =>
  (run.packets ?? []).filter((p) => p.conn === conn);

/** The kernel dropped nothing, and the capture has what the router's own kernel counted. */
function expectNothingMissed(run: RunReport): void {
  const c = run.capture;
  expect(c?.status).toBe("captured");
  expect(c?.droppedByKernel).toBe(0);
  expect(c?.capturedReceived).toBe(c?.routerReceived);
  expect(c?.capturedSent).toBe(c?.routerSent);
  expect(c?.capturedReceived).toBeGreaterThan(0);
}

describe.skipIf(!isRoot)("capture in the lab's router", () => {
  it("crash-reboot: the rebooted host's RST comes just before the writer's ECONNRESET, in the JSON and the pcapng", async () => {
    const pcap = join(dir, "crash-reboot.pcapng");
    const run = await runWire(["crash-reboot", "--pcap", pcap, "--diagram", join(dir, "d.html")]);
    expectNothingMissed(run);
    const reset = callAt(run, "writer", "recv", "ECONNRESET");
    const rst = packetsOf(run, "writer").filter((p) => p.kind === "rst");
    expect(rst[0]?.from).toBe("server");
    // on the wire before the call that reports it returns, and only just before (usually
    // < 1 ms; the bound allows a loaded machine); nothing of the writer's comes between
    expect(reset - rst[0].tMs).toBeGreaterThan(0);
    expect(reset - rst[0].tMs).toBeLessThan(20);
    expect(
      packetsOf(run, "writer")
        .filter((p) => p.tMs <= reset)
        .at(-1)?.kind,
    ).toBe("rst");

    // one clock: each send's segment is on the wire before the send returns, closely (event
    // times are rounded to 0.1 ms)
    const writer = run.connections.find((c) => c.id === "writer")?.events ?? [];
    const sends = writer.filter((e) => e.call === "send" && e.result === "OK" && e.tMs < 0);
    const data = packetsOf(run, "writer").filter((p) => p.kind === "data" && p.from === "client");
    expect(sends.length).toBeGreaterThan(0);
    for (const s of sends) {
      const seg = data.filter((p) => p.tMs <= s.tMs + 0.05).at(-1);
      expect(s.tMs - (seg?.tMs ?? Number.NEGATIVE_INFINITY)).toBeLessThan(20);
    }

    expect(existsSync(join(dir, "d.html"))).toBe(true);
    if (!hasTshark) return;
    const out = spawnSync(
      "tshark",
      ["-r", pcap, "-T", "fields", "-e", "tcp.flags.reset", "-e", "frame.comment"],
      { encoding: "utf8" },
    );
    expect(out.status).toBe(0);
    const rows = out.stdout.trim().split("\n");
    // every captured frame (IP and neighbour discovery alike) is in the file
    expect(rows.length).toBeGreaterThanOrEqual(run.packets?.length ?? 0);
    const rstRow = rows.findIndex((r) => r.startsWith("1\t") && r.includes("recv ECONNRESET"));
    expect(rstRow).toBeGreaterThan(0);
  });

  it("host-crash with keepalive 1,1,2: exactly two unanswered probes, then RST and ETIMEDOUT", async () => {
    const run = await runWire(["host-crash", "--keepalive", "1,1,2"]);
    expectNothingMissed(run);
    const timedOut = callAt(run, "idle", "recv", "ETIMEDOUT");
    const idle = packetsOf(run, "idle").filter((p) => p.tMs > 0 && p.tMs <= timedOut);
    expect(idle.map((p) => p.label)).toEqual(["keepalive probe", "keepalive probe", "RST"]);
    // probes 1 s apart (a 1024 ms kernel second at HZ=250 is allowed)
    expect(idle[1].tMs - idle[0].tMs).toBeGreaterThan(950);
    expect(idle[1].tMs - idle[0].tMs).toBeLessThan(1100);
  });

  it("host-unreachable: the router's ICMP host unreachable, tied to the writer", async () => {
    const run = await runWire(["host-unreachable"]);
    expectNothingMissed(run);
    const icmp = (run.packets ?? []).filter((p) => p.kind === "icmp-unreachable" && p.tMs > 0);
    expect(icmp.length).toBeGreaterThan(0);
    expect(icmp[0].label).toBe("ICMP host unreachable");
    expect(icmp[0].from).toBe("router");
    expect(icmp.some((p) => p.conn === "writer")).toBe(true);
  });

  // Linux answers for an IPv6 `unreachable` route with ICMPv6 type 1 code 0 ("no route to
  // destination", named net unreachable here), not code 3 (address unreachable).
  it("host-unreachable over IPv6: nothing missed, the router's ICMPv6 tied to the writer", async () => {
    const run = await runWire(["host-unreachable", "--ipv6"]);
    expectNothingMissed(run);
    const icmp = (run.packets ?? []).filter((p) => p.kind === "icmp-unreachable" && p.tMs > 0);
    expect(icmp[0]?.label).toBe("ICMP net unreachable");
    expect(icmp.some((p) => p.conn === "writer")).toBe(true);
  });

  it("--packets off: no capture at all, no packets in the report or the timeline", async () => {
    const run = await runWire(["peer-close", "--packets", "off"]);
    expect(run.capture).toEqual({ status: "off" });
    expect(run.packets).toBeUndefined();
    const human = await tcpdrop(["run", "peer-close", "--packets", "off"]);
    expect(human.stdout).not.toMatch(/ wire /);
    const shown = await tcpdrop(["run", "peer-close"]);
    expect(shown.stdout).toMatch(/ wire +server → client +ACK\|FIN .*\(FIN\)/);
  });

  it("--packets off: the server's answer to each client's close is still in the report", async () => {
    // runner/settle.ts lastWord: the run waits for it; the capture's stop no longer hides that
    const run = await runWire(["half-close", "--packets", "off"]);
    for (const c of run.connections) {
      const server = c.events
        .filter((e) => e.side === "server")
        .map((e) => `${e.call} ${e.result}`);
      expect(server.slice(-2), c.id).toEqual(["recv EOF", "close OK"]);
    }
  });
});

describe("--pcap and --diagram before any lab", () => {
  it("an unknown --diagram extension is a usage error (exit 2), nothing written", async () => {
    const res = await tcpdrop(["run", "peer-close", "--diagram", join(dir, "out.png")]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
    expect(res.stderr).toMatch(/--diagram .*out\.png.*\.html, .*\.svg, .*\.mmd, .*\.md/);
    expect(existsSync(join(dir, "out.png"))).toBe(false);
  });

  it("--pcap with --packets off is a usage error (exit 2)", async () => {
    const res = await tcpdrop([
      "run",
      "peer-close",
      "--pcap",
      join(dir, "x.pcapng"),
      "--packets",
      "off",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--pcap needs the lab's packets: leave out --packets off/);
  });
});
