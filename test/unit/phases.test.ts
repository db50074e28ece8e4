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
import { firstGapMs } from "../../src/plan/timing.js";
import { commandSchema } from "../../src/protocol.js";
import { clientSpec } from "../../src/runner/client-spec.js";
import { connectionFacts } from "../../src/runner/facts.js";
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

    it("keepalive on a socket that sends nothing: 50 ms, its idle time counts from the connect", () => {
      expect(preFault("host-crash", { detect: ["recv", "keepalive"] })).toBe(PRE_FAULT_MS);
      expect(preFault("host-crash", { detect: ["recv"], keepalive: "1,1,2" })).toBe(PRE_FAULT_MS);
      expect(preFault("lb-idle-timeout", { keepalive: "1,1,2" })).toBe(PRE_FAULT_MS);
    });

    it("a heartbeat: none, its pings after the fault keep their place", () => {
      expect(preFault("host-crash", { detect: ["heartbeat"] })).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("peer-freeze", {})).toBe(QUIET_PRE_FAULT_MS);
      expect(firstGapMs(QUIET_PRE_FAULT_MS, 500)).toBe(450);
      // an interval shorter than the 50 ms: the same phase, a period later
      expect(firstGapMs(0, 20)).toBe(10);
      expect(firstGapMs(0, 25)).toBe(25);
      expect(firstGapMs(PRE_FAULT_MS, 500)).toBe(500);
      expect(firstGapMs(80, 500)).toBe(500);
    });

    it("a writer or an urgent byte: none, their sends after the fault keep their place", () => {
      for (const name of ["host-crash", "crash-reboot", "client-crash", "net-unreachable"])
        expect(preFault(name, {})).toBe(QUIET_PRE_FAULT_MS);
      for (const detect of [["urgent"], ["user-timeout"], ["recv", "user-timeout"]])
        expect(preFault("host-crash", { detect })).toBe(QUIET_PRE_FAULT_MS);
      // a writer's data keeps keepalive from firing: its keepalive does not count from the connect
      expect(preFault("host-crash", { detect: ["user-timeout"], keepalive: "1,1,2" })).toBe(
        QUIET_PRE_FAULT_MS,
      );
    });

    it("only sockets that send nothing of their own: none, the settle alone", () => {
      expect(preFault("peer-close", { detect: ["recv"] })).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("host-crash", { detect: ["poll", "tcp-info"] })).toBe(QUIET_PRE_FAULT_MS);
    });

    it("a pooled connection: none, its request and the middleboxes' timers keep their places", () => {
      for (const name of ["lb-idle-timeout", "nat-idle-timeout", "conntrack-flush"])
        expect(preFault(name, {})).toBe(QUIET_PRE_FAULT_MS);
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
      // a FIN only after the grace period, or after the writer's next send: its beat keeps
      // its place against the fault
      expect(preFault("shutdown", {})).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("shutdown", { ignoreSigterm: true })).toBe(QUIET_PRE_FAULT_MS);
      expect(preFault("unread-close", {})).toBe(QUIET_PRE_FAULT_MS);
      // a heartbeat's pings keep their place too; keepalive's idle time counts from the connect
      expect(preFault("shutdown", { ignoreSigterm: true, detect: ["heartbeat"] })).toBe(
        QUIET_PRE_FAULT_MS,
      );
      expect(preFault("shutdown", { ignoreSigterm: true, detect: ["keepalive"] })).toBe(
        PRE_FAULT_MS,
      );
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
    [30, -30, 150],
    [200, 0, 200],
    [450, -50, 150],
    [0, 0, 150],
    [50, -50, 150],
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

  it("a shorter pre-fault does not move the writer's beat: its second send comes sooner", () => {
    const specs = (preFault: string) =>
      watchedConnections(loadScenario("host-crash"), parseSettings({ preFault })).map((w) =>
        clientSpec(w, "ip", 1),
      );
    expect(specs("0").map((s) => [s.conn, s.firstGapMs])).toEqual([
      ["idle", undefined],
      ["writer", 150],
    ]);
    expect(specs("20").find((s) => s.conn === "writer")?.firstGapMs).toBe(170);
    expect(specs("250").find((s) => s.conn === "writer")?.firstGapMs).toBe(200);
    // at scale only the first send is reported: the next beat after the fault is worked out
    const first = { tMs: -0.6, side: "client", conn: "writer", call: "send", result: "OK" };
    const facts = connectionFacts("writer", "writer", [first], { t: 0, info: {} }, 0, "client", {
      sendIntervalMs: 200,
      firstGapMs: 150,
    });
    expect(facts.firstUnackedSendMs).toBe(149.4);
  });

  it("a heartbeat keeps its beat too: DEAD where the 50 ms pre-fault puts it", () => {
    const scenario = loadScenario("peer-freeze");
    const spec = watchedConnections(scenario, scenarioSettings(scenario, parseSettings({})))
      .map((w) => clientSpec(w, "ip", 1))
      .find((s) => s.conn === "heartbeat");
    expect(spec).toMatchObject({ sendIntervalMs: 500, firstGapMs: 450 });
    const dead = (preFault?: string) =>
      explain("peer-freeze", preFault ? { preFault } : {}).predictions.find(
        (p) => p.connection === "heartbeat",
      )?.predicted;
    expect(dead()).toMatchObject({ call: "heartbeat", result: "DEAD", afterMs: 1950 });
    expect(dead("50")?.afterMs).toBe(1950);
  });

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
    expect(e.assumptions).toContain("first unacknowledged send is ~150 ms after it");
    expect(e.assumptions).toContain(
      "6 ms apart (--follow-up-gap; sooner once the peer has answered: RST or ACK)",
    );
  });
});
