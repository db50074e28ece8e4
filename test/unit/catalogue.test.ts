// The compiled catalogue of built-in scenarios (dist/scenarios.json, written by `npm run
// build`) holds exactly what the YAML files say, and a YAML file edited since is noticed.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  compileCatalogue,
  contentHash,
  mayDiffer,
  staleFiles,
} from "../../src/scenario/catalogue.js";
import { loadBuiltIns } from "../../src/scenario/load.js";

describe("the compiled catalogue of built-in scenarios", () => {
  it("is what reading and checking every scenarios/*.yaml gives, field for field", async () => {
    const { catalogue, scenarios } = await compileCatalogue();
    expect(loadBuiltIns()).toStrictEqual(scenarios);
    // what is written survives JSON unchanged (no undefined, Infinity or class instances)
    const written = JSON.parse(JSON.stringify(catalogue));
    expect(written).toStrictEqual(catalogue);
    expect(Object.keys(catalogue.files)).toEqual(scenarios.map((s) => `${s.name}.yaml`));
  });

  it("names the files that changed, appeared or went away since it was compiled", () => {
    const compiled = { "a.yaml": "1", "b.yaml": "2", "gone.yaml": "3" };
    expect(staleFiles(compiled, { ...compiled })).toEqual([]);
    expect(staleFiles(compiled, { "a.yaml": "1", "b.yaml": "9", "new.yaml": "4" })).toEqual([
      "b.yaml",
      "gone.yaml",
      "new.yaml",
    ]);
  });
});

describe("contentHash: what tells that a scenario file changed since the build", () => {
  const text = Buffer.from("name: peer-close\nfault: close\n");
  it("is the same for the same bytes, and FNV-1a's known value for none", () => {
    expect(contentHash(text)).toBe(contentHash(Buffer.from(text)));
    expect(contentHash(Buffer.alloc(0))).toBe("fnv1a32:811c9dc5:0");
    // the published FNV-1a 32-bit test vectors
    expect(contentHash(Buffer.from("a"))).toBe("fnv1a32:e40c292c:1");
    expect(contentHash(Buffer.from("foobar"))).toBe("fnv1a32:bf9cf968:6");
  });

  it("changes with one byte, and with the length", () => {
    const edited = Buffer.from(text);
    edited[6] ^= 1;
    expect(contentHash(edited)).not.toBe(contentHash(text));
    expect(contentHash(Buffer.concat([text, Buffer.from(" ")]))).not.toBe(contentHash(text));
  });
});

describe("mayDiffer: the stat check that decides whether the YAML files are hashed", () => {
  const dir = `${mkdtempSync(join(tmpdir(), "tcpdrop-catalogue-"))}/`;
  const built = `${dir}scenarios.json`;
  const compiled = { "a.yaml": "h1", "b.yaml": "h2" };
  const files = ["a.yaml", "b.yaml"];
  const at = (file: string, seconds: number) => utimesSync(file, seconds, seconds);

  beforeEach(() => {
    for (const f of [...files, "scenarios.json"]) writeFileSync(`${dir}${f}`, f);
    at(`${dir}a.yaml`, 1_000);
    at(`${dir}b.yaml`, 1_000);
    at(built, 2_000);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("the same files, none newer than the compiled file: no need to hash", () => {
    expect(mayDiffer(compiled, files, dir, built)).toBe(false);
  });

  it("a file modified after the build: hash", () => {
    at(`${dir}b.yaml`, 3_000);
    expect(mayDiffer(compiled, files, dir, built)).toBe(true);
  });

  it("a file added or removed: hash", () => {
    expect(mayDiffer(compiled, [...files, "c.yaml"], dir, built)).toBe(true);
    expect(mayDiffer(compiled, ["a.yaml"], dir, built)).toBe(true);
    expect(mayDiffer(compiled, ["a.yaml", "c.yaml"], dir, built)).toBe(true);
  });

  it("the compiled file or a YAML file gone meanwhile: hash", () => {
    rmSync(`${dir}b.yaml`);
    expect(mayDiffer(compiled, files, dir, built)).toBe(true);
    writeFileSync(`${dir}b.yaml`, "b");
    at(`${dir}b.yaml`, 1_000);
    rmSync(built);
    expect(mayDiffer(compiled, files, dir, built)).toBe(true);
  });
});
