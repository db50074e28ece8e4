// A fault that signals the server's process (lab.signal, lab.processExit, lab.startProcess)
// declares serverProcess: "real", so that its signals reach a real stand-in process (and it
// lists the stand-in's tools, which doctor and the preflight check); the others leave it out.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { STAND_IN_TOOLS } from "../../src/faults/fault.js";
import { FAULTS, type Fault } from "../../src/faults/index.js";

const DIR = new URL("../../src/faults/", import.meta.url);
const SIGNALS_SERVER = /lab\.(signal|processExit|startProcess)\(/;

describe("faults that signal the server's process", () => {
  it("declare serverProcess: real, and only they do", async () => {
    const files = readdirSync(DIR).filter(
      (f) => f.endsWith(".ts") && !/^(fault|index)\.ts$/.test(f),
    );
    const seen = new Set<Fault>();
    const wrong: string[] = [];
    for (const file of files) {
      const mod = (await import(new URL(file, DIR).href)) as Record<string, unknown>;
      const faults = Object.values(mod).filter((v): v is Fault => FAULTS.includes(v as Fault));
      const signals = SIGNALS_SERVER.test(readFileSync(new URL(file, DIR), "utf8"));
      for (const fault of faults) {
        seen.add(fault);
        if ((fault.serverProcess === "real") !== signals) wrong.push(`${file}: ${fault.name}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(seen.size).toBe(FAULTS.length);
    expect(FAULTS.filter((f) => f.serverProcess === "real").map((f) => f.name)).toEqual([
      "kill",
      "freeze",
      "shutdown",
      "restart",
    ]);
    for (const fault of FAULTS.filter((f) => f.serverProcess === "real")) {
      expect(fault.tools, fault.name).toEqual(expect.arrayContaining([...STAND_IN_TOOLS]));
    }
  });
});
