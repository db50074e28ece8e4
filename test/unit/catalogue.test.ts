// The compiled catalogue of built-in scenarios (dist/scenarios.json, written by `npm run
// build`) holds exactly what the YAML files say, and a YAML file edited since is noticed.
import { describe, expect, it } from "vitest";
import { compileCatalogue, staleFiles } from "../../src/scenario/catalogue.js";
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
