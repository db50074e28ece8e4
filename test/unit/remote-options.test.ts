// Remote mode's flags: what they require, and the settings it refuses because they would
// change a real host or need the lab.
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { UsageError } from "../../src/errors.js";
import { scenarioSettings } from "../../src/plan/index.js";
import { commandSchema } from "../../src/protocol.js";
import { parseRemote } from "../../src/remote/options.js";
import { checkRemoteFaults } from "../../src/runner/stage.js";
import { loadScenario } from "../../src/scenario/load.js";

describe("remote options", () => {
  it("no --*-via: the lab, and remote-only flags are refused", () => {
    expect(parseRemote({})).toBeUndefined();
    expect(() => parseRemote({ serverAddr: "192.0.2.1" })).toThrow(
      /--server-addr needs --client-via/,
    );
  });

  it("needs an IP --server-addr and a real port", () => {
    expect(() => parseRemote({ serverVia: "ssh a@b" })).toThrow(/needs --server-addr/);
    expect(() => parseRemote({ serverVia: "ssh a@b", serverAddr: "db.example" })).toThrow(
      /not an IP address/,
    );
    expect(() => parseRemote({ serverVia: "ssh a@b", serverAddr: "192.0.2.1", port: "0" })).toThrow(
      /not a TCP port/,
    );
    expect(parseRemote({ clientVia: "ssh c", serverAddr: "2001:db8::7", port: "9000" })).toEqual({
      clientVia: "ssh c",
      serverVia: undefined,
      serverAddr: "2001:db8::7",
      port: 9000,
      remoteCommand: undefined,
    });
  });

  it("refuses settings that would change a real host's kernel, in one UsageError", () => {
    const flags = { serverVia: "ssh a@b", serverAddr: "192.0.2.1" };
    expect(parseSettings(flags).remote?.port).toBe(7000);
    const refused = [
      { retries2: "5" },
      { synRetries: "2" },
      { observer: "server" },
      { icmpRatelimit: "0" },
    ];
    for (const extra of refused) {
      expect(() => parseSettings({ ...flags, ...extra })).toThrow(UsageError);
    }
  });

  it("the firewall command only takes a table of tcpdrop's own", () => {
    const fw = { id: 1, op: "firewall", action: "drop", port: 7000, peers: [], ttlS: 60 };
    expect(commandSchema.safeParse({ ...fw, table: "tcpdrop_12_1" }).success).toBe(true);
    expect(commandSchema.safeParse({ ...fw, table: "filter" }).success).toBe(false);
    expect(commandSchema.safeParse({ ...fw, table: "tcpdrop_x; flush ruleset" }).success).toBe(
      false,
    );
  });
});

describe("remote runs", () => {
  const base = parseSettings({ serverVia: "ssh a@b", serverAddr: "192.0.2.1" });
  const job = (name: string) => {
    const scenario = loadScenario(name);
    return { scenario, settings: scenarioSettings(scenario, base) };
  };

  it("refuses, before anything starts, scenarios that need the lab, naming the ones that run", () => {
    expect(() => checkRemoteFaults([job("peer-kill"), job("crash-reboot")], base)).not.toThrow();
    for (const name of ["partition-heal", "client-crash", "host-unreachable"]) {
      expect(() => checkRemoteFaults([job("peer-kill"), job(name)], base)).toThrow(
        new RegExp(`cannot run ${name}: .*remote mode runs .*host-crash`),
      );
    }
  });

  it("refuses the middlebox scenarios in one line saying the middlebox is the lab's router", () => {
    for (const name of [
      "lb-idle-timeout",
      "nat-idle-timeout",
      "middlebox-reset",
      "conntrack-flush",
    ]) {
      expect(() => checkRemoteFaults([job(name)], base)).toThrow(
        new RegExp(
          `^remote mode cannot run ${name}: it needs the lab \\(the .* lab's router.*\\); remote mode runs .*host-crash[^\\n]*$`,
        ),
      );
    }
  });
});
