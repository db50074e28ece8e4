// Capturing in a real lab: tcpdump in the router misses nothing (its own drop count, and the
// router namespace's IP counters against what was captured), packet times are on the calls'
// clock, and the packets that explain the failures are there: the rebooted host's RST just
// before the writer's ECONNRESET, exactly two unanswered keepalive probes before ETIMEDOUT,
// the router's ICMP host unreachable. Needs root and Debian's `tcpdump`.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { callComments } from "../../src/wire/annotate.js";
import { connectionEnds } from "../../src/wire/connections.js";
import { type LabelledPacket, labelPackets } from "../../src/wire/label.js";
import { writePcapng } from "../../src/wire/pcapng.js";
import { isRoot, ROOT } from "./helpers.js";
import { type CapturedRun, runCaptured } from "./wire-harness.js";

const hasTcpdump = spawnSync("tcpdump", ["--version"]).status === 0;
const hasTshark = spawnSync("tshark", ["--version"]).status === 0;
if (!isRoot) console.warn("skipping wire capture tests: they build labs and need root");
else if (!hasTcpdump) console.warn("skipping wire capture tests: install Debian's `tcpdump`");

/** Running (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

function labelled(run: CapturedRun): LabelledPacket[] {
  const decoded = run.capture.packets.flatMap((p) =>
    p.decoded ? [{ ...p.decoded, tMs: p.tMonoMs - run.faultAt }] : [],
  );
  return labelPackets(decoded, connectionEnds(run.calls));
}

function callAt(run: CapturedRun, conn: string, call: string, result: string): number {
  const found = run.calls.find((c) => c.conn === conn && c.call === call && c.result === result);
  if (!found) throw new Error(`no ${conn} ${call} ${result}`);
  return found.t - run.faultAt;
}

function expectNothingMissed(run: CapturedRun): void {
  const { stats, packets } = run.capture;
  expect(stats.droppedByKernel).toBe(0);
  expect(stats.captured).toBe(stats.frames);
  const ip = packets.filter((p) => p.decoded);
  const { before, after } = run.counters;
  expect(ip.filter((p) => !p.decoded?.outgoing).length).toBe(after.inReceives - before.inReceives);
  expect(ip.filter((p) => p.decoded?.outgoing).length).toBe(after.outRequests - before.outRequests);
  expect(run.tcpdumpPid).toBeGreaterThan(0);
  expect(alive(run.tcpdumpPid)).toBe(false);
}

describe.skipIf(!isRoot || !hasTcpdump)("capture in the lab's router", () => {
  it("crash-reboot: the rebooted host's RST comes just before the writer's ECONNRESET", async () => {
    const run = await runCaptured("crash-reboot");
    expectNothingMissed(run);
    const reset = callAt(run, "writer", "recv", "ECONNRESET");
    const rst = labelled(run).filter((p) => p.kind === "rst" && p.conn === "writer");
    expect(rst[0]?.from).toBe("server");
    // the RST is on the wire before the call that reports it returns, nothing of the writer's
    // comes between, and only just before (usually < 1 ms; the bound allows a loaded machine)
    expect(reset - rst[0].tMs).toBeGreaterThan(0);
    expect(reset - rst[0].tMs).toBeLessThan(20);
    const writer = labelled(run).filter((p) => p.conn === "writer" && p.tMs <= reset);
    expect(writer.at(-1)?.kind).toBe("rst");

    // clock alignment: each send's segment is on the wire before the send returns, closely
    // (tens of µs when idle; the bound allows a loaded machine)
    const sends = run.calls.filter(
      (c) => c.conn === "writer" && c.call === "send" && c.t < run.faultAt,
    );
    const data = run.capture.packets.filter(
      (p) => (p.decoded?.len ?? 0) > 0 && p.decoded?.dport === 7000,
    );
    for (const s of sends) {
      const seg = data.filter((p) => p.tMonoMs <= s.t).at(-1);
      expect(s.t - (seg?.tMonoMs ?? 0)).toBeGreaterThan(0);
      expect(s.t - (seg?.tMonoMs ?? 0)).toBeLessThan(20);
    }

    if (!hasTshark) return;
    const dir = mkdtempSync(join(tmpdir(), "tcpdrop-wire-"));
    try {
      const file = join(dir, "crash-reboot.pcapng");
      const notes = callComments(
        run.capture.packets.map((p) => p.tMonoMs),
        run.calls.map((c) => ({ ...c, tMonoMs: c.t })),
        run.faultAt,
      );
      const { header, packets } = run.capture;
      writeFileSync(
        file,
        writePcapng({
          interfaces: [{ linktype: header.linktype, snaplen: header.snaplen, name: "any" }],
          packets: packets.map((p, i) => ({
            interfaceId: 0,
            tsNs: p.tsNs,
            data: p.data,
            comments: notes.get(i),
          })),
        }),
      );
      const out = spawnSync(
        "tshark",
        ["-r", file, "-T", "fields", "-e", "tcp.flags.reset", "-e", "frame.comment"],
        { encoding: "utf8" },
      );
      const rows = out.stdout.trim().split("\n");
      expect(rows.length).toBe(packets.length);
      const rstRow = rows.findIndex((r) => r.startsWith("1\t") && r.includes("recv ECONNRESET"));
      expect(rstRow).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("host-crash with keepalive 1,1,2: exactly two unanswered probes, then RST and ETIMEDOUT", async () => {
    const run = await runCaptured("host-crash", { keepalive: "1,1,2" });
    expectNothingMissed(run);
    const timedOut = callAt(run, "idle", "recv", "ETIMEDOUT");
    const idle = labelled(run).filter((p) => p.conn === "idle" && p.tMs > 0 && p.tMs <= timedOut);
    expect(idle.map((p) => p.label)).toEqual(["keepalive probe", "keepalive probe", "RST"]);
    // probes 1 s (a 1024 ms kernel second at HZ=250 is allowed) apart
    expect(idle[1].tMs - idle[0].tMs).toBeGreaterThan(950);
    expect(idle[1].tMs - idle[0].tMs).toBeLessThan(1100);
  });

  it("leaves no tcpdump behind when tcpdrop is killed with SIGKILL", async () => {
    const script = [
      `const { Lab } = await import(${JSON.stringify(`${ROOT}dist/lab/lab.js`)});`,
      `const { Capture } = await import(${JSON.stringify(`${ROOT}dist/wire/capture.js`)});`,
      "const lab = await Lab.build({ clientSysctls: {}, serverFlags: [], onMessage: () => {} });",
      "const cap = await Capture.start({ netns: lab.router.netns, ownAddresses: [] });",
      "console.log(cap.capturePid); setInterval(() => {}, 1000);",
    ].join("\n");
    const child = spawn(process.execPath, ["--input-type=module", "-e", script]);
    const pid = await new Promise<number>((resolve, reject) => {
      child.stdout.once("data", (d) => resolve(Number(String(d).trim())));
      child.once("exit", () => reject(new Error("the capturing process exited early")));
    });
    expect(pid).toBeGreaterThan(0);
    expect(alive(pid)).toBe(true);
    child.kill("SIGKILL");
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && alive(pid)) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
  });

  it("host-unreachable: the router's ICMP host unreachable, tied to the writer", async () => {
    const run = await runCaptured("host-unreachable");
    expectNothingMissed(run);
    const icmp = labelled(run).filter((p) => p.kind === "icmp-unreachable" && p.tMs > 0);
    expect(icmp.length).toBeGreaterThan(0);
    expect(icmp[0].label).toBe("ICMP host unreachable");
    expect(icmp.some((p) => p.conn === "writer")).toBe(true);
  });

  // Linux answers for an IPv6 `unreachable` route with ICMPv6 type 1 code 0 ("no route to
  // destination", named net unreachable here), not code 3 (address unreachable).
  it("host-unreachable over IPv6: nothing missed, the router's ICMPv6 tied to the writer", async () => {
    const run = await runCaptured("host-unreachable", { ipv6: true });
    expectNothingMissed(run);
    const icmp = labelled(run).filter((p) => p.kind === "icmp-unreachable" && p.tMs > 0);
    expect(icmp[0]?.icmp?.type).toBe(1);
    expect(icmp[0]?.label).toBe("ICMP net unreachable");
    expect(icmp.some((p) => p.conn === "writer")).toBe(true);
  });
});
