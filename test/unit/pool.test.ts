// runPool: at most `parallel` tasks at once, at most `starting` of them before they call
// started(), results in the order given, and after a failure nothing new starts.
import { describe, expect, it } from "vitest";
import { runPool } from "../../src/runner/pool.js";

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tasks whose start-up and end the test releases by hand, with what ran when. */
function controlled(n: number) {
  const log: string[] = [];
  const release: { up: (() => void)[]; end: (() => void)[] } = { up: [], end: [] };
  const tasks = Array.from({ length: n }, (_, i) => async (started: () => void) => {
    log.push(`start ${i}`);
    await new Promise<void>((resolve) => {
      release.up[i] = resolve;
    });
    started();
    await new Promise<void>((resolve) => {
      release.end[i] = resolve;
    });
    log.push(`end ${i}`);
    return i * 10;
  });
  return { log, release, tasks };
}

describe("runPool", () => {
  it("starts at most `starting` tasks until they are up, and at most `parallel` in all", async () => {
    const { log, release, tasks } = controlled(5);
    const done = runPool(tasks, 3, 2);
    await tick();
    expect(log).toEqual(["start 0", "start 1"]);
    release.up[0]();
    await tick();
    expect(log).toEqual(["start 0", "start 1", "start 2"]);
    release.up[1]();
    release.up[2]();
    await tick();
    // three running: the fourth waits for one to end, though none is starting
    expect(log).toEqual(["start 0", "start 1", "start 2"]);
    release.end[1]();
    await tick();
    expect(log).toEqual(["start 0", "start 1", "start 2", "end 1", "start 3"]);
    release.up[3]();
    await tick();
    for (const i of [0, 2, 3]) release.end[i]();
    await tick();
    release.up[4]();
    await tick();
    release.end[4]();
    expect(await done).toEqual([0, 10, 20, 30, 40]);
  });

  it("a task that ends without calling started() frees its start-up slot", async () => {
    const order: number[] = [];
    const tasks = [0, 1, 2].map((i) => async () => {
      order.push(i);
      return i;
    });
    expect(await runPool(tasks, 3, 1)).toEqual([0, 1, 2]);
    expect(order).toEqual([0, 1, 2]);
  });

  it("starts nothing new after a failure, lets the running finish, then rejects", async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const tasks = [0, 1, 2, 3].map((i) => async (up: () => void) => {
      started.push(i);
      up();
      await new Promise((resolve) => setTimeout(resolve, i === 0 ? 1 : 20));
      if (i === 0) throw new Error("lab 0 failed");
      finished.push(i);
      return i;
    });
    await expect(runPool(tasks, 2, 2)).rejects.toThrow("lab 0 failed");
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([1]);
  });

  it("resolves an empty batch", async () => {
    expect(await runPool([], 4)).toEqual([]);
  });
});
