// Starting tools with posix_spawn (src/lab/posix-spawn.ts): real processes (sh, cat), no root.
// What Node's spawn gave the lab's tools must hold here too: the input on stdin, the exit code,
// stderr, a clear error for a missing tool, and every signal at its default action (Node
// itself ignores SIGPIPE, which a child would otherwise inherit).
import { fstatSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { c, dupFd, pipe, posixSpawn, spawnsSettled, waitExit } from "../../src/lab/posix-spawn.js";
import { quickSpawn } from "../../src/lab/quick-spawn.js";

describe("quickSpawn", () => {
  it("hands the input on stdin and gives back the exit code and stderr", async () => {
    const child = await quickSpawn("sh", ["-c", 'read line; echo "got $line" >&2; exit 3'], "hi\n");
    await expect(child.exited).resolves.toEqual({ code: 3, stderr: "got hi\n" });
  });

  it("rejects with the errno's name when the tool is not on PATH", async () => {
    await expect(quickSpawn("tcpdrop-no-such-tool", [], "")).rejects.toThrow(/ENOENT/);
  });

  it("starts the tool with no standard signal ignored, SIGPIPE included", async () => {
    const child = await quickSpawn("sh", ["-c", "grep SigIgn /proc/self/status >&2"], "");
    const { code, stderr } = await child.exited;
    expect(code).toBe(0);
    const ignored = BigInt(`0x${stderr.trim().split("\t")[1]}`);
    // signals 1-31 (bit n-1 for signal n); glibc's posix_spawn leaves its own two internal
    // real-time signals (32, 33) ignored, which no tool of the lab uses
    expect(ignored & 0x7fffffffn).toBe(0n);
  });

  it("reports a tool ended by a signal as no exit code", async () => {
    const child = await quickSpawn("sleep", ["5"], "");
    child.kill();
    await expect(child.exited).resolves.toEqual({ code: null, stderr: "" });
  });
});

describe("descriptors a spawned child could hold", () => {
  it("spawnsSettled waits for every spawn under way", async () => {
    await spawnsSettled(); // nothing under way: at once
    const spawning = posixSpawn("true", [], ["null", "null", "null"]);
    let settled = false;
    const waiting = spawnsSettled().then(() => {
      settled = true;
    });
    for (let i = 0; i < 10; i++) await Promise.resolve();
    // the worker's answer can only come in a later turn of the event loop
    expect(settled).toBe(false);
    await waiting;
    const pid = await spawning;
    // The child is past exec's point of no return: it becomes `true`, not a copy of this
    // process. The kernel lets the vfork parent go on (in exec_mmap) a few instructions before
    // it renames the child and closes its close-on-exec descriptors, so that is awaited.
    const comm = () => readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    for (let i = 0; i < 100 && comm() !== "true"; i++) await new Promise((r) => setTimeout(r, 1));
    expect(comm()).toBe("true");
    await waitExit(pid);
  });

  it("dupFd numbers the copy at or above the lowest asked for, on the same file", () => {
    const [readEnd, writeEnd] = pipe();
    const copy = dupFd(writeEnd, 200);
    try {
      expect(copy).toBeGreaterThanOrEqual(200);
      expect(fstatSync(copy).ino).toBe(fstatSync(writeEnd).ino);
    } finally {
      for (const fd of [readEnd, writeEnd, copy]) c.close(fd);
    }
  });
});
