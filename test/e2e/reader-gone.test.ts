// A run whose reader leaves before it writes (`tcpdrop run ... --json | head`, or stderr's
// reader gone under --timing): the run goes on, tears its lab down and exits with its own code.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { hostState, isRoot, ROOT } from "./helpers.js";

/** Exit code of a run whose stdout or stderr pipe has no reader from the start. */
function runWithoutReader(args: string[], gone: "stdout" | "stderr"): Promise<number | null> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ["bin/tcpdrop.js", "run", ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child[gone].destroy();
    const kept = gone === "stdout" ? child.stderr : child.stdout;
    kept.resume();
    child.on("close", (code) => done(code));
  });
}

describe.skipIf(!isRoot)("a run whose reader has gone", () => {
  it("stdout: peer-close --json still passes (exit 0) and leaves the machine as it was", async () => {
    const before = hostState();
    expect(await runWithoutReader(["peer-close", "--json"], "stdout")).toBe(0);
    expect(hostState()).toEqual(before);
  });

  it("stderr: peer-close --timing still passes (exit 0)", async () => {
    expect(await runWithoutReader(["peer-close", "--timing", "--json"], "stderr")).toBe(0);
  });
});
