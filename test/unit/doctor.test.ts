// tcpdrop doctor's pure parts, without root: which scenarios can run given the checks, the
// exit code, the report's lines, why user namespaces fail from the kernel's settings, and
// which command lines re-execute tcpdrop in a user namespace.
import { describe, expect, it } from "vitest";
import { type Check, exitCodeOf, formatDoctor, scenarioChecks } from "../../src/commands/doctor.js";
import { needsLab, usernsCause } from "../../src/lab/userns.js";

const SCENARIOS = [
  { name: "host-crash", fault: "crash" },
  { name: "peer-close", fault: "close" },
];

function checks(overrides: Partial<Record<string, Partial<Check>>> = {}): Check[] {
  const ids = ["kernel", "netns", "ip", "unshare", "nsenter", "userns", "privileges", "veth"];
  return [...ids, "blackhole", "sysctls"].map((id) => ({
    id,
    title: id,
    status: "ok",
    detail: `${id} works`,
    ...overrides[id],
  }));
}

describe("doctor decisions", () => {
  it("all checks ok: every scenario can run, exit 0", () => {
    expect(exitCodeOf(checks())).toBe(0);
    expect(scenarioChecks(checks(), SCENARIOS)).toEqual([
      { name: "host-crash", ok: true },
      { name: "peer-close", ok: true },
    ]);
  });

  it("a warning blocks nothing (user namespaces unavailable as root, HZ unknown)", () => {
    const c = checks({ userns: { status: "warn" }, kernel: { status: "warn" } });
    expect(exitCodeOf(c)).toBe(0);
    expect(scenarioChecks(c, SCENARIOS).every((s) => s.ok)).toBe(true);
  });

  it("a missing nft blocks the middlebox scenarios only, naming the package, exit 2", () => {
    const nft: Check = {
      id: "nft",
      title: "nft",
      status: "fail",
      detail: "not on PATH",
      fix: "install nftables (e.g. apt-get install nftables)",
    };
    const c = [...checks(), nft];
    expect(exitCodeOf(c)).toBe(2);
    const scenarios = [...SCENARIOS, { name: "lb-idle-timeout", fault: "lb-idle-timeout" }];
    expect(scenarioChecks(c, scenarios)).toEqual([
      { name: "host-crash", ok: true },
      { name: "peer-close", ok: true },
      { name: "lb-idle-timeout", ok: false, why: "needs nft" },
    ]);
    expect(formatDoctor(c, [])).toContain("fix: install nftables (e.g. apt-get install nftables)");
  });

  it("a failed check blocks the scenarios that need it, exit 2", () => {
    const c = checks({ blackhole: { status: "fail", title: "blackhole routes" } });
    expect(exitCodeOf(c)).toBe(2);
    expect(scenarioChecks(c, SCENARIOS)).toEqual([
      { name: "host-crash", ok: false, why: "needs blackhole routes" },
      { name: "peer-close", ok: true },
    ]);
  });

  it("names the failed checks, not the ones left untested because of them", () => {
    const c = checks({
      privileges: { status: "fail" },
      veth: { status: "skip", title: "veth pairs" },
    });
    expect(scenarioChecks(c, SCENARIOS)[1]).toEqual({
      name: "peer-close",
      ok: false,
      why: "needs privileges",
    });
    const untested = checks({ veth: { status: "skip", title: "veth pairs" } });
    expect(scenarioChecks(untested, SCENARIOS)[1].why).toBe("needs veth pairs (untested)");
  });
});

describe("doctor report", () => {
  it("one line per check with ✔/✘ and a fix line under a failure", () => {
    const c = checks({ ip: { status: "fail", detail: "not on PATH", fix: "install iproute2" } });
    const text = formatDoctor(c, scenarioChecks(c, SCENARIOS));
    const lines = text.split("\n");
    expect(lines[0]).toBe("tcpdrop doctor");
    expect(lines).toContain("✔ kernel      kernel works");
    expect(lines).toContain("✘ ip          not on PATH");
    expect(lines).toContain("              fix: install iproute2");
    expect(lines).toContain("✘ peer-close  needs ip");
    expect(text.trimEnd().split("\n").pop()).toBe("tcpdrop cannot run here: ip failed");
  });

  it("ends with how many scenarios can run when nothing failed", () => {
    const text = formatDoctor(checks(), scenarioChecks(checks(), SCENARIOS));
    expect(text).toMatch(/✔ host-crash +can run\n/);
    expect(text.trimEnd().split("\n").pop()).toBe("tcpdrop can run here (2 of 2 scenarios)");
  });
});

describe("why user namespaces fail", () => {
  it("kernel.unprivileged_userns_clone=0 (Debian, older Ubuntu)", () => {
    const cause = usernsCause({ "kernel.unprivileged_userns_clone": "0" }, true, "EPERM");
    expect(cause.reason).toMatch(/disabled for ordinary users.*unprivileged_userns_clone=0/);
    expect(cause.fix).toMatch(/root, or sudo sysctl -w kernel.unprivileged_userns_clone=1$/);
  });

  it("user.max_user_namespaces=0", () => {
    const cause = usernsCause({ "user.max_user_namespaces": "0" }, true);
    expect(cause.reason).toMatch(/user.max_user_namespaces=0/);
    expect(cause.fix).toMatch(/sysctl -w user.max_user_namespaces=15000/);
  });

  it("AppArmor's restriction (Ubuntu 24.04)", () => {
    const values = {
      "kernel.apparmor_restrict_unprivileged_userns": "1",
      "user.max_user_namespaces": "63000",
      "kernel.unprivileged_userns_clone": "1",
    };
    const cause = usernsCause(values, true);
    expect(cause.reason).toMatch(/^AppArmor restricts/);
    expect(cause.fix).toMatch(/kernel.apparmor_restrict_unprivileged_userns=0/);
  });

  it("no user namespaces in the kernel at all", () => {
    expect(usernsCause({}, false).reason).toMatch(/\/proc\/self\/ns\/user is missing/);
  });

  it("settings allow them but unshare still fails: quotes unshare, suspects seccomp", () => {
    const cause = usernsCause(
      { "user.max_user_namespaces": "63000" },
      true,
      "unshare: unshare failed: Operation not permitted\n",
    );
    expect(cause.reason).toMatch(/\(unshare: unshare failed: Operation not permitted\)/);
    expect(cause.reason).toMatch(/seccomp/);
    expect(cause.fix).toMatch(/^run tcpdrop as root/);
  });
});

describe("which command lines re-execute in a user namespace", () => {
  it.each([
    [["run", "peer-close"], true],
    [["compare", "host-crash", "--keepalive", "1,1,2"], true],
    [["run", "--help"], false],
    [["list"], false],
    [["doctor", "--json"], false],
    [["--version"], false],
    [[], false],
  ])("%j -> %s", (args, expected) => {
    expect(needsLab(args)).toBe(expected);
  });
});
