import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";
import { WRITER_INTERVAL_MS } from "../../src/plan/timing.js";
import { scenarioSettings, sends, watchedConnections } from "../../src/plan/watched.js";
import { clientSpec } from "../../src/runner/client-spec.js";
import { loadScenario } from "../../src/scenario/load.js";

const hostCrash = loadScenario("host-crash");

describe("watchedConnections(): the scenario's workloads", () => {
  it("host-crash watches idle and writer with the settings as given", () => {
    const settings = parseSettings({ keepalive: "1,1,2" });
    const watched = watchedConnections(hostCrash, settings);
    expect(watched).toEqual([
      { id: "idle", group: "idle", workload: "idle", settings, trace: false },
      { id: "writer", group: "writer", workload: "writer", settings, trace: false },
    ]);
    expect(watched[0].settings).toBe(settings);
  });

  it("partition-heal traces the writer only", () => {
    const watched = watchedConnections(loadScenario("partition-heal"), parseSettings({}));
    expect(watched.map((w) => [w.id, w.trace])).toEqual([
      ["idle", false],
      ["writer", true],
    ]);
  });

  it("peer-freeze adds a heartbeat workload", () => {
    const watched = watchedConnections(loadScenario("peer-freeze"), parseSettings({}));
    expect(watched.map((w) => w.workload)).toEqual(["idle", "writer", "heartbeat"]);
  });

  it("connect-refused watches idle only", () => {
    const watched = watchedConnections(loadScenario("connect-refused"), parseSettings({}));
    expect(watched.map((w) => w.id)).toEqual(["idle"]);
  });
});

describe("watchedConnections(): --detect methods", () => {
  it("one connection per method, named after it, with the method's workload", () => {
    const watched = watchedConnections(hostCrash, parseSettings({ detect: ["all"] }));
    expect(watched.map((w) => [w.id, w.group, w.workload])).toEqual([
      ["recv", "recv", "idle"],
      ["poll", "poll", "poll"],
      ["tcp-info", "tcp-info", "tcp-info"],
      ["keepalive", "keepalive", "idle"],
      ["user-timeout", "user-timeout", "writer"],
      ["heartbeat", "heartbeat", "heartbeat"],
      ["urgent", "urgent", "urgent"],
    ]);
  });

  it("keepalive method forces keepalive 1,1,2 when none is given; the others stay off", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["recv,keepalive,user-timeout"] }),
    );
    const byId = Object.fromEntries(watched.map((w) => [w.id, w.settings]));
    expect(byId.keepalive.keepalive).toEqual({ idle: 1, interval: 1, count: 2 });
    expect(byId.recv.keepalive).toBeNull();
    expect(byId["user-timeout"].keepalive).toBeNull();
  });

  it("keepalive method keeps a given --keepalive", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["keepalive"], keepalive: "5,2,3" }),
    );
    expect(watched[0].settings.keepalive).toEqual({ idle: 5, interval: 2, count: 3 });
  });

  it("a given --keepalive applies to the other methods too", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["recv"], keepalive: "5,2,3" }),
    );
    expect(watched[0].settings.keepalive).toEqual({ idle: 5, interval: 2, count: 3 });
  });

  it("user-timeout method forces 3000 ms when none is given; the others stay unset", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["user-timeout", "keepalive"] }),
    );
    const byId = Object.fromEntries(watched.map((w) => [w.id, w.settings]));
    expect(byId["user-timeout"].userTimeoutMs).toBe(3000);
    expect(byId.keepalive.userTimeoutMs).toBeNull();
  });

  it("user-timeout method keeps a given --user-timeout", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["user-timeout"], userTimeout: "1500" }),
    );
    expect(watched[0].settings.userTimeoutMs).toBe(1500);
  });

  it("does not change the settings it was given", () => {
    const settings = parseSettings({ detect: ["keepalive", "user-timeout"] });
    watchedConnections(hostCrash, settings);
    expect(settings.keepalive).toBeNull();
    expect(settings.userTimeoutMs).toBeNull();
  });

  it("--detect replaces the scenario's workloads", () => {
    const watched = watchedConnections(hostCrash, parseSettings({ detect: ["poll"] }));
    expect(watched.map((w) => w.id)).toEqual(["poll"]);
  });
});

describe("watchedConnections(): --connections N", () => {
  it("N of each workload, ids suffixed -1..-N, group kept", () => {
    const watched = watchedConnections(hostCrash, parseSettings({ connections: "3" }));
    expect(watched.map((w) => w.id)).toEqual([
      "idle-1",
      "idle-2",
      "idle-3",
      "writer-1",
      "writer-2",
      "writer-3",
    ]);
    expect(watched.map((w) => w.group)).toEqual([
      "idle",
      "idle",
      "idle",
      "writer",
      "writer",
      "writer",
    ]);
    expect(watched.map((w) => w.workload)).toEqual(watched.map((w) => w.group));
  });

  it("the last id is <group>-N", () => {
    const watched = watchedConnections(hostCrash, parseSettings({ connections: "250" }));
    expect(watched).toHaveLength(500);
    expect(watched[249].id).toBe("idle-250");
    expect(watched[250].id).toBe("writer-1");
    expect(watched.at(-1)?.id).toBe("writer-250");
    expect(new Set(watched.map((w) => w.id)).size).toBe(500);
  });

  it("--connections 1 keeps the plain ids", () => {
    const watched = watchedConnections(hostCrash, parseSettings({ connections: "1" }));
    expect(watched.map((w) => w.id)).toEqual(["idle", "writer"]);
  });

  it("combines with --detect: each copy keeps the method's forced knob", () => {
    const watched = watchedConnections(
      hostCrash,
      parseSettings({ detect: ["keepalive"], connections: "2" }),
    );
    expect(watched.map((w) => [w.id, w.group])).toEqual([
      ["keepalive-1", "keepalive"],
      ["keepalive-2", "keepalive"],
    ]);
    for (const w of watched) {
      expect(w.settings.keepalive).toEqual({ idle: 1, interval: 1, count: 2 });
    }
  });
});

describe("clientSpec()", () => {
  const specFor = (flags: Parameters<typeof parseSettings>[0], index = 0) => {
    const w = watchedConnections(hostCrash, parseSettings(flags))[index];
    return clientSpec(w, "203.0.113.2", 7000);
  };

  it("carries the connection, address and socket options", () => {
    const spec = specFor({ keepalive: "1,1,2", userTimeout: "3000", recverr: true });
    expect(spec).toMatchObject({
      conn: "idle",
      workload: "idle",
      ip: "203.0.113.2",
      port: 7000,
      options: {
        keepalive: { idle: 1, interval: 1, count: 2 },
        userTimeoutMs: 3000,
        recverr: true,
      },
      sigpipe: false,
      engine: "syscall",
      trace: false,
    });
  });

  it("passes --sigpipe default and --engine node", () => {
    const spec = specFor({ sigpipe: "default", engine: "node" });
    expect(spec.sigpipe).toBe(true);
    expect(spec.engine).toBe("node");
  });

  it("a writer sends every WRITER_INTERVAL_MS", () => {
    const spec = specFor({}, 1);
    expect(spec.workload).toBe("writer");
    expect(spec.sendIntervalMs).toBe(WRITER_INTERVAL_MS);
    expect(WRITER_INTERVAL_MS).toBe(200);
  });

  it("the heartbeat method pings every P ms and is dead after N misses (--heartbeat P,N)", () => {
    const spec = specFor({ detect: ["heartbeat"], heartbeat: "250,4" });
    expect(spec.workload).toBe("heartbeat");
    expect(spec.sendIntervalMs).toBe(250);
    expect(spec.heartbeatMisses).toBe(4);
  });

  it("the heartbeat default is 500 ms, 3 misses", () => {
    const spec = specFor({ detect: ["heartbeat"] });
    expect(spec.sendIntervalMs).toBe(500);
    expect(spec.heartbeatMisses).toBe(3);
  });

  it("without settings.heartbeat the same 500 ms, 3 misses apply", () => {
    const settings = { ...parseSettings({ detect: ["heartbeat"] }), heartbeat: undefined };
    const spec = clientSpec(watchedConnections(hostCrash, settings)[0], "203.0.113.2", 7000);
    expect(spec.sendIntervalMs).toBe(500);
    expect(spec.heartbeatMisses).toBe(3);
  });

  it("the heartbeat interval does not change other workloads' rhythm", () => {
    const spec = specFor({ detect: ["user-timeout"], heartbeat: "250,4" });
    expect(spec.workload).toBe("writer");
    expect(spec.sendIntervalMs).toBe(WRITER_INTERVAL_MS);
  });

  it("the trace flag follows the scenario", () => {
    const w = watchedConnections(loadScenario("partition-heal"), parseSettings({}))[1];
    expect(clientSpec(w, "203.0.113.2", 7000).trace).toBe(true);
  });

  it("quiet only with more than one connection and events other than all", () => {
    expect(specFor({}).quiet).toBe(false);
    expect(specFor({ events: "all" }).quiet).toBe(false);
    expect(specFor({ connections: "2" }).quiet).toBe(true);
    expect(specFor({ connections: "2", events: "summary" }).quiet).toBe(true);
    expect(specFor({ connections: "2", events: "all" }).quiet).toBe(false);
  });

  it("the connection id in the spec is the suffixed one at scale", () => {
    expect(specFor({ connections: "2" }, 1).conn).toBe("idle-2");
  });
});

describe("scenarioSettings()", () => {
  it("uses the scenario's observer by default: client for host-crash", () => {
    expect(scenarioSettings(hostCrash, parseSettings({})).observer).toBe("client");
  });

  it("client-crash is observed from the server by default", () => {
    expect(scenarioSettings(loadScenario("client-crash"), parseSettings({})).observer).toBe(
      "server",
    );
  });

  it("--observer server is allowed for a crash fault", () => {
    const settings = scenarioSettings(hostCrash, parseSettings({ observer: "server" }));
    expect(settings.observer).toBe("server");
  });

  it("--observer client overrides a scenario's server observer", () => {
    const settings = scenarioSettings(
      loadScenario("client-crash"),
      parseSettings({ observer: "client" }),
    );
    expect(settings.observer).toBe("client");
  });

  it("keeps the other settings and does not change its input", () => {
    const input = parseSettings({ keepalive: "1,1,2" });
    const out = scenarioSettings(hostCrash, input);
    expect(out).toEqual({ ...input, observer: "client", preFaultMs: 50 });
    expect(input.observer).toBeUndefined();
  });

  it.each(["peer-close", "crash-reboot", "shutdown", "partition-heal", "host-unreachable"])(
    "--observer server is a UsageError for %s",
    (name) => {
      const scenario = loadScenario(name);
      expect(scenario.fault).not.toBe("crash");
      const run = () => scenarioSettings(scenario, parseSettings({ observer: "server" }));
      expect(run).toThrow(UsageError);
      expect(run).toThrow(`--observer server: in ${name} the fault strikes the server`);
    },
  );

  it("--observer client is allowed anywhere", () => {
    const s = scenarioSettings(loadScenario("peer-close"), parseSettings({ observer: "client" }));
    expect(s.observer).toBe("client");
  });
});

describe("sends()", () => {
  it.each(["writer", "urgent", "heartbeat"])("%s keeps sending", (w) => {
    expect(sends(w)).toBe(true);
  });

  it.each(["idle", "poll", "tcp-info", "recv", "keepalive"])("%s does not", (w) => {
    expect(sends(w)).toBe(false);
  });
});
