// Remote mode through a real ssh: sshd (Debian's openssh-server) runs inside the test's server
// namespace on a documentation address, with a host key and a client key made for this test
// only; tcpdrop reaches it with `ssh` run in the client namespace. A host crash (nftables on
// the server host, over ssh) with keepalive 1,1,2, and nothing left afterwards.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/types.js";
import { connection, isRoot, tcpdrop } from "./helpers.js";
import { FakeHosts, REMOTE_COMMAND, SERVER_ADDR } from "./remote-hosts.js";

const SSHD = "/usr/sbin/sshd";
const hasSshd = existsSync(SSHD);
if (isRoot && !hasSshd) {
  console.warn("remote-ssh: skipped: sshd not found (Debian: apt-get install openssh-server)");
}

let hosts: FakeHosts;
let sshd: ChildProcess;
let dir: string;

async function sshdListening(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (hosts.server.sh("ss", ["-Hltn", "sport = :22"]).trim()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("sshd did not start");
}

describe.skipIf(!isRoot || !hasSshd)("remote mode over a real ssh", () => {
  beforeAll(async () => {
    hosts = await FakeHosts.create();
    dir = mkdtempSync("/tmp/tcpdrop-ssh-");
    for (const key of ["host_key", "key"]) {
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", `${dir}/${key}`]);
    }
    execFileSync("cp", [`${dir}/key.pub`, `${dir}/authorized_keys`]);
    writeFileSync(
      `${dir}/sshd_config`,
      [
        `ListenAddress ${SERVER_ADDR}:22`,
        `HostKey ${dir}/host_key`,
        `AuthorizedKeysFile ${dir}/authorized_keys`,
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "PidFile none",
        "StrictModes no",
        "",
      ].join("\n"),
    );
    mkdirSync("/run/sshd", { recursive: true }); // sshd's privilege separation directory
    sshd = spawn(
      "nsenter",
      [
        `--net=/proc/${hosts.server.pid}/ns/net`,
        "--",
        SSHD,
        "-D",
        "-e",
        "-f",
        `${dir}/sshd_config`,
      ],
      { stdio: "ignore" },
    );
    await sshdListening();
  });

  afterAll(() => {
    if (sshd?.pid) process.kill(sshd.pid, "SIGTERM");
    hosts?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("host-crash with keepalive 1,1,2 over ssh: ETIMEDOUT near 2.8 s, no rule left", async () => {
    const before = hosts.state();
    const ssh = [
      `nsenter --net=/proc/${hosts.client.pid}/ns/net --`,
      `ssh -i ${dir}/key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null`,
      `-o BatchMode=yes -o LogLevel=ERROR root@${SERVER_ADDR}`,
    ].join(" ");
    const res = await tcpdrop([
      "run",
      "host-crash",
      "--keepalive",
      "1,1,2",
      "--client-via",
      hosts.client.via,
      "--server-via",
      ssh,
      "--server-addr",
      SERVER_ADDR,
      "--remote-command",
      REMOTE_COMMAND,
      "--json",
    ]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const report = JSON.parse(res.stdout) as Report;
    const idle = connection(report, "idle").firstFailure;
    expect(idle).toMatchObject({ call: "recv", result: "ETIMEDOUT" });
    expect(idle?.afterMs).toBeGreaterThan(2400);
    expect(idle?.afterMs).toBeLessThan(3400);
    let after = hosts.state();
    for (let i = 0; i < 30 && JSON.stringify(after) !== JSON.stringify(before); i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = hosts.state();
    }
    expect(after).toEqual(before);
  }, 60_000);
});
