// The wire effects other than a plain FIN, RST or silence: heals, frozen peers, connect() to a
// dead host or to a closed port (ICMP errors: icmp-wire.test.ts).
import { describe, expect, it } from "vitest";
import { parseSettings } from "../../src/commands/settings.js";
import { FROZEN_BASIS, frozen } from "../../src/predict/frozen.js";
import { healed, partition } from "../../src/predict/heal.js";
import { connectRefused, REFUSED_BASIS } from "../../src/predict/refusal.js";
import { connectTimeout, synTimeout } from "../../src/predict/syn-timeout.js";
import type { KernelParams, Prediction } from "../../src/types.js";
import { idle, kernel, run, writer } from "./wire-fixtures.js";

describe("partition", () => {
  it("writer: heals (3 s) long before tcp_retries2 gives up -> never", () => {
    const p = run(partition(3000), {}, writer);
    expect(p).toMatchObject({ call: null, result: null, afterMs: null });
    expect(p.basis).toContain("heals at 3.0 s");
  });

  it("writer: TCP_USER_TIMEOUT 3000 gives up (3568 ms) before a 5 s heal -> ETIMEDOUT", () => {
    const p = run(partition(5000), { userTimeout: "3000" }, writer);
    expect(p.result).toBe("ETIMEDOUT");
    expect(p.afterMs).toBe(3568);
    expect(p.basis).toContain("TCP_USER_TIMEOUT 3000 ms");
    expect(p.basis).toContain("before the partition heals at 5.0 s");
  });

  it("writer: the same user timeout but a heal at 3 s, before the give-up -> never", () => {
    const p = run(partition(3000), { userTimeout: "3000" }, writer);
    expect(p.result).toBeNull();
    expect(p.afterMs).toBeNull();
  });

  it("idle with keepalive 1,1,2 (2998 ms) and a 5 s partition -> ETIMEDOUT", () => {
    const p = run(partition(5000), { keepalive: "1,1,2" }, idle);
    expect(p).toMatchObject({ call: "recv", result: "ETIMEDOUT", afterMs: 2998 });
  });

  it("idle without keepalive -> never", () => {
    const p = run(partition(5000), {}, idle);
    expect(p.result).toBeNull();
  });

  it("healed(): a give-up exactly at the heal counts as healed", () => {
    const giveUp: Prediction = { call: null, result: "ETIMEDOUT", afterMs: 3000, basis: "x" };
    expect(healed(giveUp, 3000).result).toBeNull();
    expect(healed(giveUp, 3000.1).result).toBe("ETIMEDOUT");
  });
});

describe("frozen", () => {
  it.each([
    ["writer", writer, {}],
    ["writer with user timeout", writer, { userTimeout: "3000" }],
    ["idle with keepalive", idle, { keepalive: "1,1,2" }],
  ] as const)("%s: never (the peer's kernel ACKs)", (_, facts, flags) => {
    const p = run(frozen(), flags, facts);
    expect(p).toEqual({ call: null, result: null, afterMs: null, basis: FROZEN_BASIS });
  });
});

describe("connect-timeout without tcp_syn_linear_timeouts (older kernels): classic doubling", () => {
  it("tcp_syn_retries 1: ~3 s (1 s + 2 s, each timer rounded up)", () => {
    const p = run(connectTimeout(), { synRetries: "1" }, idle);
    expect(p.call).toBe("connect");
    expect(p.result).toBe("ETIMEDOUT");
    // 1016 + 2016
    expect(p.afterMs).toBe(3032);
    expect(p.basis).toBe("tcp_syn_retries=1: 1 SYN retransmissions; connect gives up after 3.0 s");
  });

  it("tcp_syn_retries 2: ~7 s", () => {
    const p = run(connectTimeout(), { synRetries: "2" }, idle);
    // 1016 + 2016 + 4128 (1000 jiffies: level 2, 64-jiffy granules)
    expect(p.afterMs).toBe(7160);
    expect(p.basis).toContain("after 7.2 s");
  });

  it("tcp_syn_retries 6 (the kernel's, from KernelParams): ~127 s", () => {
    const p = run(connectTimeout(), {}, idle);
    expect(p.afterMs).toBe(129_464);
    expect(p.basis).toBe(
      "tcp_syn_retries=6: 6 SYN retransmissions; connect gives up after 129.5 s",
    );
  });

  it.each([
    [1, 3000],
    [2, 7000],
    [3, 15000],
    [6, 127000],
  ])("tcp_syn_retries %i: at or after (2^(n+1) - 1) s, within 3 %% of it", (n, nominal) => {
    const p = run(connectTimeout(), { synRetries: String(n) }, idle);
    expect(p.afterMs).toBeGreaterThanOrEqual(nominal);
    expect(p.afterMs).toBeLessThanOrEqual(nominal * 1.03);
  });

  it("--syn-retries overrides the kernel's value", () => {
    const p = run(connectTimeout(), { synRetries: "1" }, idle, {
      ...kernel,
      synRetries: 6,
    });
    expect(p.afterMs).toBe(3032);
  });

  it("the kernel's tcp_syn_retries is used without --syn-retries", () => {
    const p = run(connectTimeout(), {}, idle, { ...kernel, synRetries: 2 });
    expect(p.afterMs).toBe(7160);
  });

  it("6 when neither says", () => {
    const { synRetries: _, ...noSyn } = kernel;
    const p = synTimeout(parseSettings({}), noSyn);
    expect(p.afterMs).toBe(129_464);
    expect(p.basis).toContain("tcp_syn_retries=6");
  });

  it("does not depend on the connection's facts", () => {
    expect(run(connectTimeout(), {}, writer)).toEqual(run(connectTimeout(), {}, idle));
  });
});

describe("connect-timeout with tcp_syn_linear_timeouts 4 (this kernel)", () => {
  const linear: KernelParams = { ...kernel, synLinearTimeouts: 4 };
  // Measured here (connect-dead-host, ms): 3087, 7158, 19366.
  it.each([
    [1, 3087],
    [2, 7158],
    [3, 19366],
  ])("tcp_syn_retries %i: within 10 %% of the %i ms measured", (n, measured) => {
    const p = run(connectTimeout(), { synRetries: String(n) }, idle, linear);
    expect(Math.abs((p.afterMs ?? 0) - measured)).toBeLessThan(measured * 0.1);
    expect(p.basis).toContain("tcp_syn_linear_timeouts=4");
  });
});

describe("connect-refused", () => {
  it("connect ECONNREFUSED at 0", () => {
    expect(run(connectRefused(), {}, idle)).toEqual({
      call: "connect",
      result: "ECONNREFUSED",
      afterMs: 0,
      basis: REFUSED_BASIS,
    });
    expect(run(connectRefused(), { keepalive: "1,1,2" }, writer).afterMs).toBe(0);
  });
});
