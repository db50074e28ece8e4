// Connections of one client host share the router's per-host ICMP budget. The model follows one
// connection alone, so a sender's prediction behind a rate-limited router is marked uncertain
// when other watched connections also send after the fault, and the checks that compare with it
// by default are skipped with that reason, never silently.
import { describe, expect, it } from "vitest";
import { explain } from "../../src/commands/explain.js";
import type { SettingFlags } from "../../src/commands/settings.js";
import { parseExpectation } from "../../src/expect/index.js";
import { planExpectations, withDefaults } from "../../src/runner/expectation-plan.js";
import { loadScenario } from "../../src/scenario/load.js";
import type { ConnectionReport, Prediction } from "../../src/types.js";
import { BASE_SETTINGS } from "./settings-fixture.js";

const predictions = (name: string, flags: SettingFlags) =>
  Object.fromEntries(explain(name, flags).predictions.map((p) => [p.connection, p.predicted]));

describe("a shared ICMP budget makes a sender's prediction uncertain", () => {
  it("--detect keepalive,user-timeout on a stock router: the sender's, naming the other", () => {
    const p = predictions("host-unreachable", { detect: ["keepalive", "user-timeout"] });
    expect(p["user-timeout"].uncertain).toContain("keepalive also sends");
    expect(p["user-timeout"].uncertain).toContain("one ICMP per 1000 ms");
    // The idle keepalive connection ignores the ICMP answers: its time does not depend on them.
    expect(p.keepalive.uncertain).toBeUndefined();
  });

  it("IPv4 with --icmp-ratelimit 0: ip_error's own limit is still shared", () => {
    const p = predictions("net-unreachable", {
      detect: ["keepalive", "user-timeout"],
      icmpRatelimit: "0",
    });
    expect(p["user-timeout"].uncertain).toContain("ip_error's burst of 5");
  });

  it("one sender alone, or IPv6 without the limit: certain", () => {
    expect(
      predictions("host-unreachable", { detect: ["recv", "user-timeout"] })["user-timeout"]
        .uncertain,
    ).toBeUndefined();
    const off = predictions("net-unreachable", {
      detect: ["keepalive", "user-timeout"],
      icmpRatelimit: "0",
      ipv6: true,
    });
    expect(off["user-timeout"].uncertain).toBeUndefined();
  });

  it("the scenario's idle and writer: uncertain only when the idle one sends keepalives", () => {
    expect(predictions("host-unreachable", {}).writer.uncertain).toBeUndefined();
    const ka = predictions("host-unreachable", { keepalive: "1,1,2", userTimeout: "3000" });
    expect(ka.writer.uncertain).toContain("idle");
  });

  it("--connections N: the writers share the budget among themselves", () => {
    const p = predictions("host-unreachable", { connections: "3" });
    expect(p["writer-1"].uncertain).toContain("writer-2");
    expect(p["idle-1"].uncertain).toBeUndefined();
  });

  it("other faults are not touched", () => {
    const p = predictions("host-crash", { detect: ["keepalive", "user-timeout"] });
    expect(p["user-timeout"].uncertain).toBeUndefined();
  });
});

describe("uncertain predictions: default and scenario checks skipped with the reason", () => {
  const conn = (id: string, predicted: Prediction): ConnectionReport => ({
    id,
    side: "client",
    workload: id,
    firstFailure: null,
    predicted,
    events: [],
  });
  const why = "keepalive also send to the unreachable host";
  const uncertain: Prediction = {
    call: null,
    result: "EHOSTUNREACH",
    afterMs: 5100,
    basis: "x",
    uncertain: why,
  };
  const sure: Prediction = { call: "recv", result: "ETIMEDOUT", afterMs: 3000, basis: "ka" };

  it("--detect: the uncertain method's default is skipped, the other one checked", () => {
    const settings = parseSettingsFor({ detect: ["keepalive", "user-timeout"] });
    const plan = planExpectations(
      loadScenario("host-unreachable"),
      settings,
      [],
      ["keepalive", "user-timeout"],
    );
    const got = withDefaults(
      plan,
      [conn("keepalive", sure), conn("user-timeout", uncertain)],
      [{ group: "keepalive" }, { group: "user-timeout" }],
    );
    expect(got.expectations.map((e) => e.conn)).toEqual(["keepalive"]);
    expect(got.skipped.at(-1)).toEqual({
      expectation: "user-timeout: predicted",
      reason: `uncertain: ${why}`,
    });
  });

  it("the scenario's 'writer: predicted' is skipped; the user's own --expect still applies", () => {
    const scenario = loadScenario("host-unreachable");
    const user = parseExpectation("writer: predicted");
    const plan = planExpectations(scenario, parseSettingsFor({}), [user], ["idle", "writer"]);
    const got = withDefaults(
      plan,
      [conn("idle", sure), conn("writer", uncertain)],
      [{ group: "idle" }, { group: "writer" }],
    );
    expect(got.expectations).toContain(user);
    expect(got.expectations.filter((e) => e.conn === "writer")).toEqual([user]);
    expect(got.skipped.map((s) => s.reason)).toContain(`uncertain: ${why}`);
  });
});

function parseSettingsFor(extra: { detect?: ("keepalive" | "user-timeout")[] }) {
  return { ...BASE_SETTINGS, ...extra };
}
