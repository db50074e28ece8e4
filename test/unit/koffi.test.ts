// src/agent/koffi.ts loads koffi's prebuilt binary straight where it can: what it hands out
// must be what koffi's own entry hands out, and a koffi upgrade must not leave the short way
// silently unused.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import koffi, { KOFFI_VERSION, koffiLoadedBy, prebuiltBinary } from "../../src/agent/koffi.js";

const require = createRequire(import.meta.url);
const ROOT = new URL("../../", import.meta.url).pathname;
const json = (path: string) => JSON.parse(readFileSync(`${ROOT}${path}`, "utf8"));

describe("koffi, loaded straight from its binary", () => {
  it("the version it expects is the one package.json pins and npm installed", () => {
    expect(json("package.json").dependencies.koffi).toBe(KOFFI_VERSION);
    expect(json("node_modules/koffi/package.json").version).toBe(KOFFI_VERSION);
  });

  it("takes the short way on this machine (Linux, glibc) and gets koffi's own version", () => {
    expect(prebuiltBinary()).not.toBeNull();
    expect(koffiLoadedBy).toBe("binary");
    expect(koffi.version).toBe(KOFFI_VERSION);
  });

  it("hands out every name koffi's own entry exports, the same functions", () => {
    const entry = require("koffi") as Record<string, unknown>;
    const names = Object.keys(entry).filter((name) => name !== "default");
    expect(names.length).toBeGreaterThan(30);
    const mine = koffi as unknown as Record<string, unknown>;
    // koffi's entry wraps load() and register() to warn about deprecated uses; the rest are the
    // binary's own functions
    const own = names.filter(
      (name) => !["load", "register", "resolve", "introspect"].includes(name),
    );
    for (const name of own) expect(mine[name], name).toBe(entry[name]);
    for (const name of names) expect(typeof mine[name], name).toBe(typeof entry[name]);
  });

  it("calls libc through it", () => {
    const getpid = koffi.load("libc.so.6").func("int getpid()");
    expect(getpid()).toBe(process.pid);
  });
});
