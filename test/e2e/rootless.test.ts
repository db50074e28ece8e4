// Rootless runs, end to end: the built CLI as uid 65534 (setpriv), which re-executes itself as
// root inside a user namespace and builds the lab there. The same calls, results and time
// windows as under root, and nothing left behind. Skipped unless root (to become 65534) and
// setpriv exist. If uid 65534 cannot read the checkout (a root-only home directory, say), the
// runtime files are copied into a world-readable temporary directory first.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/types.js";
import { connection, hostState, isRoot, ROOT } from "./helpers.js";
import { connectedAt, within } from "./middlebox-helpers.js";

const AS_NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];
const hasSetpriv = spawnSync("setpriv", ["--version"]).status === 0;

const readableByNobody = (dir: string) =>
  [
    "bin/tcpdrop.js",
    "dist/bundle/cli.cjs",
    "scenarios/peer-close.yaml",
    "node_modules/koffi/package.json",
  ]
    .map((f) => spawnSync("setpriv", [...AS_NOBODY, "test", "-r", join(dir, f)]).status)
    .every((status) => status === 0);

/** bin, dist, scenarios, package.json and the production dependencies, world-readable. */
function copyRuntime(): string {
  const dir = mkdtempSync(join(tmpdir(), "tcpdrop-rootless-"));
  for (const f of ["bin", "dist", "scenarios", "package.json"])
    cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  for (const [path, pkg] of Object.entries(lock.packages)) {
    const top = path.startsWith("node_modules/") && !path.slice(13).includes("node_modules/");
    if (top && !pkg.dev && existsSync(join(ROOT, path)))
      cpSync(join(ROOT, path), join(dir, path), { recursive: true, dereference: true });
  }
  spawnSync("chmod", ["-R", "a+rX", dir]);
  chmodSync(dir, 0o755);
  return dir;
}

function runAsNobody(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("setpriv", [...AS_NOBODY, process.execPath, "bin/tcpdrop.js", ...args], {
      cwd,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function runJson(
  cwd: string,
  args: string[],
): Promise<{ code: number | null; report: Report }> {
  const res = await runAsNobody(cwd, ["run", ...args, "--json"]);
  if (res.code === 2) throw new Error(`tcpdrop as uid 65534 failed: ${res.stderr}`);
  return { code: res.code, report: JSON.parse(res.stdout) as Report };
}

describe.skipIf(!isRoot || !hasSetpriv)("rootless runs (uid 65534 in a user namespace)", () => {
  let cwd = ROOT;
  let copied: string | undefined;
  let before: Record<string, string>;
  beforeAll(() => {
    if (!readableByNobody(ROOT)) cwd = copied = copyRuntime();
    before = hostState();
  });
  afterAll(() => {
    if (copied) rmSync(copied, { recursive: true, force: true });
  });

  it("peer-close: both connections read EOF within 100 ms, as under root", async () => {
    const { code, report } = await runJson(cwd, ["peer-close"]);
    expect(code).toBe(0);
    // the capture's packet socket opens in the user namespace too: the server's FINs are seen,
    // and nothing the router counted is missing
    const run = report.runs[0];
    expect(run.capture).toMatchObject({ status: "captured", droppedByKernel: 0 });
    expect(run.capture?.capturedReceived).toBe(run.capture?.routerReceived);
    const fins = (run.packets ?? []).filter((p) => p.flags.includes("FIN") && p.from === "server");
    expect(fins.map((p) => p.conn).sort()).toEqual(["idle", "writer"]);
    for (const id of ["idle", "writer"]) {
      expect(connection(report, id).firstFailure).toMatchObject({ call: "recv", result: "EOF" });
      within(connection(report, id).firstFailure?.afterMs, 0, 100);
    }
  });

  it("host-crash, keepalive 1,1,2: idle recv ETIMEDOUT after ~3 s, and the lab sysctls were set", async () => {
    const { code, report } = await runJson(cwd, [
      "host-crash",
      "--keepalive",
      "1,1,2",
      "--window",
      "4",
      "--retries2",
      "8",
    ]);
    expect(code).toBe(0);
    const idle = connection(report, "idle");
    expect(idle.firstFailure).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    within(idle.firstFailure?.afterMs, 2500, 3300);
    expect(connection(report, "writer").firstFailure).toBeNull();
    expect(report.runs[0].settings.sysctls["net.ipv4.tcp_retries2"]).toBe("8");
  });

  it("lb-idle-timeout: nft and conntrack in a user-namespace-owned router; the request meets the RST", async () => {
    const { code, report } = await runJson(cwd, ["lb-idle-timeout"]);
    expect(code).toBe(0);
    const pooled = connection(report, "pooled");
    expect(pooled.firstFailure).toMatchObject({ call: "recv", result: "ECONNRESET" });
    const send = pooled.events.find((e) => e.side === "client" && e.call === "send" && e.tMs >= 0);
    // the request goes 3.5 s after the connect
    within((send?.tMs ?? 0) - connectedAt(report, "pooled"), 3480, 3600);
    within((pooled.firstFailure?.afterMs ?? 0) - (send?.tMs ?? 0), 0, 50);
  });

  it.each([
    ["nat-idle-timeout", "pooled"],
    ["conntrack-flush", "writer"],
  ])(
    "%s: masquerade / conntrack -F in a user-namespace-owned router; %s ends in ETIMEDOUT under TCP_USER_TIMEOUT",
    async (name, id) => {
      const { code, report } = await runJson(cwd, [name, "--user-timeout", "3000"]);
      expect(code).toBe(0);
      expect(connection(report, id).firstFailure?.result).toBe("ETIMEDOUT");
      expect(connection(report, "idle").firstFailure).toBeNull();
    },
  );

  it("middlebox-reset: the router agent's forged RSTs reach both ends", async () => {
    const { code, report } = await runJson(cwd, ["middlebox-reset"]);
    expect(code).toBe(0);
    for (const id of ["idle", "writer", "pooled"]) {
      const conn = connection(report, id);
      expect(conn.firstFailure).toMatchObject({ call: "recv", result: "ECONNRESET" });
      within(conn.firstFailure?.afterMs, 0, 50);
      const server = conn.events.find((e) => e.side === "server" && e.result === "ECONNRESET");
      within(server?.tMs, 0, 50);
    }
  });

  it.skipIf(spawnSync("strace", ["-V"]).status !== 0)(
    "--client-cmd as uid 65534: the traced program runs as the user, sees what it does under root",
    async () => {
      const { report } = await runJson(cwd, [
        "peer-kill",
        "--client-cmd",
        `python3 -c 'import os, socket; s = socket.create_connection((os.environ["TCPDROP_SERVER"], 7000)); s.recv(1); print(os.getuid())'`,
        "--window",
        "2",
      ]);
      const run = report.runs[0];
      // strace stamps the return of a long-blocked call from its entry plus its duration, which
      // has come out up to ~15 ms early here (before t=0 under peer-kill): so the EOF is looked
      // for on the timeline, and the program's own exit after the fault bounds it.
      const eof = run.connections[0].events.find(
        (e) => e.call === "recvfrom" && e.result === "EOF",
      );
      within(eof?.tMs, -20, 100);
      // uid 0 inside tcpdrop's user namespace is uid 65534 outside: no privilege gained.
      expect(run.program?.exit).toMatchObject({ code: 0, signal: null });
      within(run.program?.exit?.afterMs, 0, 200);
      expect(run.program?.stdoutTail).toEqual(["0"]);
    },
  );

  it("doctor as uid 65534 says a rootless run can go ahead", async () => {
    const res = await runAsNobody(cwd, ["doctor", "--json"]);
    const doctor = JSON.parse(res.stdout) as {
      ok: boolean;
      checks: { id: string; status: string }[];
    };
    expect(res.code).toBe(0);
    expect(doctor.ok).toBe(true);
    expect(doctor.checks.find((c) => c.id === "privileges")?.status).toBe("ok");
    // the capture's packet socket, opened in a throwaway namespace of a user namespace
    expect(doctor.checks.find((c) => c.id === "packets")?.status).toBe("ok");
  });

  it("left nothing behind: no namespace, link, route, sysctl change or process", () => {
    // the machine's own network state; lab processes are looked for among uid 65534's only
    const { agents: _, ...now } = hostState();
    const { agents: __, ...then } = before;
    expect(now).toEqual(then);
    const mine = spawnSync("ps", ["-u", "65534", "-o", "args="], { encoding: "utf8" }).stdout;
    expect(mine).not.toMatch(/tcpdrop|agent\/main\.js/);
  });
});
