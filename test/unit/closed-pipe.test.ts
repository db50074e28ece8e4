// A reader that leaves early (`tcpdrop ... | head`): tcpdrop stops writing, prints no stack
// trace, and exits with the command's own code. (The built CLI, as `npm ci` leaves it.)
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const BIN = join(ROOT, "bin", "tcpdrop.js");

/** Run tcpdrop with its stdout a pipe whose reading end is closed before it writes. */
function withReaderGone(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader leaves at once
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) => done({ code, stderr }));
  });
}

describe("a reader that leaves early", () => {
  it("list --json: exit 0, nothing on stderr", async () => {
    const r = await withReaderGone(["list", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it("explain --json: exit 0, nothing on stderr", async () => {
    const r = await withReaderGone(["explain", "host-crash", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});
