// A restarted server's listen tried again while another child's exec still holds the old
// listener (src/lab/listen-again.ts): only EADDRINUSE, only for a short while.
import { describe, expect, it } from "vitest";
import { listenAgain } from "../../src/lab/listen-again.js";

const inUse = () =>
  new Error('the server agent failed "listen": bind(203.0.113.2:7000) failed: EADDRINUSE');

describe("listenAgain", () => {
  it("listens once the port is free", async () => {
    let tries = 0;
    await listenAgain(async () => {
      if (++tries < 3) throw inUse();
    });
    expect(tries).toBe(3);
  });

  it("any other error is the caller's at once", async () => {
    let tries = 0;
    const denied = listenAgain(async () => {
      tries++;
      throw new Error("bind(203.0.113.2:7000) failed: EACCES");
    });
    await expect(denied).rejects.toThrow(/EACCES/);
    expect(tries).toBe(1);
  });

  it("a port that stays in use is the caller's error after a while", async () => {
    await expect(listenAgain(async () => Promise.reject(inUse()))).rejects.toThrow(/EADDRINUSE/);
  });
});
