// The run's two fixed phases as settings: --pre-fault (how long the connections live before
// the fault) and --follow-up-gap (how far apart the calls after a first failure are). Their
// values reach the agent (the client spec) and the predictions (explain, typicalFacts).
import { describe, expect, it } from "vitest";
import { parseVariants, sideBySide } from "../../src/commands/compare.js";
import { explain } from "../../src/commands/explain.js";
import { parseSettings, type SettingFlags } from "../../src/commands/settings.js";
import { FOLLOW_UP_GAP_MS } from "../../src/defaults.js";
import { UsageError } from "../../src/errors.js";
import {
  PRE_FAULT_MS,
  phases,
  QUIET_PRE_FAULT_MS,
  scenarioSettings,
  typicalFacts,
  watchedConnections,
} from "../../src/plan/index.js";
import { commandSchema } from "../../src/protocol.js";
import { clientSpec } from "../../src/runner/client-spec.js";
import { loadScenario } from "../../src/scenario/load.js";

function usageError(flags: SettingFlags): UsageError {
  try {
    parseSettings(flags);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error(`expected a UsageError for ${JSON.stringify(flags)}`);
}

describe("--pre-fault and --follow-up-gap", () => {
  it("default to the measured values", () => {
    expect(parseSettings({})).toMatchObject({ followUpGapMs: FOLLOW_UP_GAP_MS });
    expect(phases({})).toEqual({ preFaultMs: PRE_FAULT_MS, followUpGapMs: FOLLOW_UP_GAP_MS });
  });

  describe("the pre-fault default follows what the run watches", () => {
    const preFault = (name: string, flags: SettingFlags) =>
      scenarioSettings(loadScenario(name), parseSettings(flags)).preFaultMs;

    it("a writer, a heartbeat, an urgent byte or keepalive: 50 ms, on their schedule", () => {
      expect(preFault("host-crash", {})).toBe(PRE_FAULT_MS);
      for (const detect of [["heartbeat"], ["urgent"], ["user-timeout"], ["recv", "keepalive"]])
        expect(preFault("host-crash", { detect })).toBe(PRE_FAULT_MS);
      expect(preFault("host-crash", { detect: ["recv"], keepalive: "1,1,2" })).toBe(PRE_FAULT_MS);
      // pooled sends its request on its own clock from the connect
      expect(preFault("lb-idle-timeout", {})).toBe(PRE_FAULT_MS);
    });

    it("only sockets that send nothing of their own: none, the settle alone", () => {
      expect(preFault("peer-close", { detect: ["recv"] })).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("host-crash", { detect: ["poll", "tcp-info"] })).toBe(QUIET_PRE_FAULT_MS);
    });

    it("a scenario that connects after its fault has none to shorten: the default stays", () => {
      expect(preFault("connect-refused", {})).toBe(PRE_FAULT_MS);
    });

    it("at scale the settle does not wait: 50 ms", () => {
      expect(preFault("peer-close", { detect: ["recv"], connections: "2" })).toBe(PRE_FAULT_MS);
    });

    it("a fault that reaches every connection at once (FIN or RST at t=0): none", () => {
      for (const name of ["peer-close", "peer-kill", "half-close", "middlebox-reset"])
        expect(preFault(name, {})).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("peer-close", { detect: ["all"] })).toBe(QUIET_PRE_FAULT_MS);
      // unread-close waits for the writer's next send: the pre-fault sets how long
      expect(preFault("unread-close", {})).toBe(PRE_FAULT_MS);
      // a silent peer: the writer's retransmissions count from its sends
      expect(preFault("crash-reboot", {})).toBe(PRE_FAULT_MS);
      // a FIN only after the grace period: the writer's sends come before it
      expect(preFault("shutdown", {})).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("shutdown", { ignoreSigterm: true })).toBe(PRE_FAULT_MS);
    });

    it("--pre-fault wins", () => {
      expect(preFault("peer-close", { detect: ["recv"], preFault: "7" })).toBe(7);
      expect(preFault("peer-close", { preFault: "0" })).toBe(0);
    });

    it("compare gives every variant the same: the longest default", () => {
      const scenario = loadScenario("host-crash");
      // compare watches the scenario's own workloads; here as if they were idle alone
      const idleOnly = (v: ReturnType<typeof parseVariants>) =>
        v.map((x) => ({ ...x, settings: { ...x.settings, detect: ["recv" as const] } }));
      const variants = idleOnly(parseVariants({ keepalive: ["off", "1,1,2"] }));
      expect(sideBySide(scenario, variants).map((s) => s.preFaultMs)).toEqual([50, 50]);
      const quiet = idleOnly(parseVariants({ userTimeout: ["2000", "3000"] }));
      expect(sideBySide(scenario, quiet).map((s) => s.preFaultMs)).toEqual([0, 0]);
    });
  });

  it.each([
    [{ preFault: "0" }, { preFaultMs: 0 }],
    [{ preFault: "250" }, { preFaultMs: 250 }],
    [{ preFault: "60000" }, { preFaultMs: 60_000 }],
    [{ followUpGap: "0" }, { followUpGapMs: 0 }],
    [{ followUpGap: "7" }, { followUpGapMs: 7 }],
    [{ followUpGap: "10000" }, { followUpGapMs: 10_000 }],
  ])("%j gives %j", (flags, settings) => {
    expect(parseSettings(flags)).toMatchObject(settings);
  });

  it.each([
    ["--pre-fault", { preFault: "-1" }],
    ["--pre-fault", { preFault: "abc" }],
    ["--pre-fault", { preFault: "2.5" }],
    ["--pre-fault", { preFault: "250ms" }],
    ["--pre-fault", { preFault: "60001" }],
    ["--pre-fault", { preFault: "" }],
    ["--follow-up-gap", { followUpGap: "-5" }],
    ["--follow-up-gap", { followUpGap: "1e2" }],
    ["--follow-up-gap", { followUpGap: "10001" }],
    ["--follow-up-gap", { followUpGap: "soon" }],
  ])("%s %j is one line naming the flag", (flag, flags) => {
    const err = usageError(flags);
    expect(err.message.startsWith(`${flag} `)).toBe(true);
    expect(err.message).not.toContain("\n");
  });

  it("says the range and the unit", () => {
    expect(usageError({ followUpGap: "10001" }).message).toBe(
      "--follow-up-gap 10001 is out of range: use 0 to 10000 milliseconds",
    );
    expect(usageError({ preFault: "abc" }).message).toBe(
      '--pre-fault takes a whole number of milliseconds from 0 to 60000; got "abc"',
    );
  });

  it("compare keeps them in every variant, --setting ones too", () => {
    const variants = parseVariants({
      keepalive: ["off"],
      setting: ["keepalive=1,1,2 user-timeout=3000"],
      preFault: "40",
      followUpGap: "6",
    });
    expect(variants).toHaveLength(2);
    for (const v of variants) {
      expect(v.settings).toMatchObject({ preFaultMs: 40, followUpGapMs: 6 });
    }
  });
});

describe("the follow-up gap reaches the agent", () => {
  const hostCrash = loadScenario("host-crash");

  it("in every connection's spec", () => {
    const settings = parseSettings({ followUpGap: "8" });
    for (const w of watchedConnections(hostCrash, settings)) {
      expect(clientSpec(w, "203.0.113.2", 7000).followUpGapMs).toBe(8);
    }
  });

  it("and a spec without it is still valid (the agent then takes the default)", () => {
    const spec = clientSpec(watchedConnections(hostCrash, parseSettings({}))[0], "ip", 1);
    const { followUpGapMs, ...without } = spec;
    expect(followUpGapMs).toBe(FOLLOW_UP_GAP_MS);
    const parsed = commandSchema.parse({ id: 1, op: "connect", specs: [without] });
    expect(parsed.op === "connect" && parsed.specs[0].followUpGapMs).toBeUndefined();
    expect(() =>
      commandSchema.parse({ id: 1, op: "connect", specs: [{ ...without, followUpGapMs: -1 }] }),
    ).toThrow(/followUpGapMs/);
  });
});

describe("predictions use the pre-fault given", () => {
  it.each([
    // pre-fault, writer's last send before the fault, its first unacknowledged send
    [250, -50, 150],
    [30, -30, 170],
    [200, 0, 200],
    [450, -50, 150],
    [0, 0, 200],
  ])(
    "typicalFacts with a %d ms pre-fault: last send %d ms, first unacked %d ms",
    (pre, last, first) => {
      const writer = typicalFacts("writer", 250, pre);
      expect(writer).toMatchObject({ lastRecvMs: last, firstUnackedSendMs: first });
      expect(writer.connectedMs).toBe(-pre);
      const idle = typicalFacts("idle", 250, pre);
      expect(idle).toMatchObject({ lastRecvMs: -pre, firstUnackedSendMs: null, connectedMs: -pre });
    },
  );

  it("explain: keepalive counts from the connect, so a shorter pre-fault detects later after the fault", () => {
    const at = (preFault: string) =>
      explain("host-crash", { keepalive: "1,1,2", preFault }).predictions.find(
        (p) => p.connection === "idle",
      )?.predicted.afterMs ?? Number.NaN;
    expect(at("50") - at("250")).toBeCloseTo(200, 6);
  });

  it("explain names both phases in its assumptions", () => {
    const e = explain("peer-close", { preFault: "40", followUpGap: "6" });
    expect(e.assumptions).toContain("set up 40 ms before the fault (--pre-fault)");
    expect(e.assumptions).toContain("first unacknowledged send is ~160 ms after it");
    expect(e.assumptions).toContain("6 ms apart (--follow-up-gap)");
  });
});
