// Shared inputs of the wire-effect tests: the lab's kernel defaults (HZ=250), its writer and
// idle connections as measured around a fault, and predict() with flags parsed as the CLI does.
import { parseSettings, type SettingFlags } from "../../src/commands/settings.js";
import { predict, type WireEffect } from "../../src/predict/wire.js";
import type { ConnectionFacts, KernelParams } from "../../src/types.js";

export const kernel: KernelParams = {
  hz: 250,
  retries2: 15,
  keepaliveTime: 7200,
  keepaliveIntvl: 75,
  keepaliveProbes: 9,
  synRetries: 6,
};

export const writer: ConnectionFacts = {
  workload: "writer",
  lastRecvMs: -50,
  firstUnackedSendMs: 150,
  rtoMs: 204,
};

export const idle: ConnectionFacts = {
  workload: "idle",
  lastRecvMs: -50,
  firstUnackedSendMs: null,
  rtoMs: 204,
};

export const run = (wire: WireEffect, flags: SettingFlags, facts: ConnectionFacts, k = kernel) =>
  predict(wire, parseSettings(flags), facts, k);
