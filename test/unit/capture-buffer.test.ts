// The packet capture socket's receive buffer follows what the run puts on the wire: small for
// the built-in workloads' one connection each, large for thousands of connections or a user's
// own program.
import { describe, expect, it } from "vitest";
import { captureBufferKiB } from "../../src/runner/wire.js";
import { BASE_SETTINGS } from "./settings-fixture.js";

const base = BASE_SETTINGS;

describe("captureBufferKiB", () => {
  it("is 2 MiB for one connection of each workload", () => {
    expect(captureBufferKiB(base)).toBe(2048);
    expect(captureBufferKiB({ ...base, connections: 1 })).toBe(2048);
  });

  it("is 8 MiB for many connections", () => {
    expect(captureBufferKiB({ ...base, connections: 2 })).toBe(8192);
    expect(captureBufferKiB({ ...base, connections: 10_000 })).toBe(8192);
  });

  it("is 64 MiB for a user's program, which may move any amount of data in large segments", () => {
    expect(
      captureBufferKiB({
        ...base,
        programs: { client: "curl http://x/", server: null, faultAfterMs: 100 },
      }),
    ).toBe(65536);
  });
});
