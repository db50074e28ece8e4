// middlebox-reset in a real lab: the router agent forges exact-sequence RSTs to both ends of
// every flow at t=0; both kernels drop the connections at once.
import { describe, expect, it } from "vitest";
import { connection, runJson } from "./helpers.js";
import { canRun, first, within } from "./middlebox-helpers.js";

describe.skipIf(!canRun)("middlebox-reset", () => {
  it("both sides reset: every client connection and its server socket fail recv ECONNRESET within 50 ms", async () => {
    const { code, report } = await runJson(["middlebox-reset"]);
    expect(code).toBe(0);
    for (const id of ["idle", "writer", "pooled"]) {
      const failure = connection(report, id).firstFailure;
      expect(failure).toMatchObject({ call: "recv", result: "ECONNRESET" });
      within(failure?.afterMs, 0, 50);
      within(first(report, id, "server", "recv", "ECONNRESET")?.tMs, 0, 50);
      // Later sends on the reset connection fail EPIPE.
      expect(first(report, id, "client", "send", "EPIPE")).toBeDefined();
    }
  });
});
