// CONTRIBUTING.md's worked example is the real backlog-full fault, quoted verbatim; it must stay
// so, and the fault must keep loading and giving the prediction the guide describes.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { FAULTS } from "../../src/faults/index.js";

const ROOT = new URL("../../", import.meta.url);
const guide = readFileSync(new URL("CONTRIBUTING.md", ROOT), "utf8");

/** Each code block announced by `<!-- example: PATH -->`, with the path it quotes. */
function examples(text: string): { path: string; code: string }[] {
  const found = text.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)```\n/g);
  return [...found].map((m) => ({ path: m[1], code: m[2] }));
}

describe("CONTRIBUTING.md", () => {
  it("quotes the worked example's fault file verbatim", () => {
    const quoted = examples(guide);
    expect(quoted.map((q) => q.path)).toEqual(["src/faults/backlog-full.ts"]);
    for (const { path, code } of quoted) {
      expect(code).toBe(readFileSync(new URL(path, ROOT), "utf8"));
    }
  });

  it("the worked example is registered and predicts what its scenario says", async () => {
    const mod = await import("../../src/faults/backlog-full.js");
    for (const fault of [mod.backlogFullDrop, mod.backlogFullAbort]) {
      expect(FAULTS).toContain(fault);
      const settings = parseSettings({ synRetries: "2" });
      const wire = fault.wire({
        settings,
        workload: "idle",
        params: { rebootAfterMs: 0 },
        measured: {},
      });
      const kernel = {
        hz: 250,
        retries2: 15,
        keepaliveTime: 7200,
        keepaliveIntvl: 75,
        keepaliveProbes: 9,
      };
      const facts = { workload: "idle", lastRecvMs: 0, firstUnackedSendMs: null, rtoMs: 204 };
      expect(wire.predict({ settings, facts, kernel })).toMatchObject({
        call: "connect",
        result: "ETIMEDOUT",
      });
    }
  });

  it("names only files that exist", () => {
    const paths = [...guide.matchAll(/`((?:src|test|scenarios)\/[\w./-]+\.(?:ts|yaml))`/g)].map(
      (m) => m[1],
    );
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((p) => {
      try {
        readFileSync(new URL(p, ROOT));
        return false;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });
});
