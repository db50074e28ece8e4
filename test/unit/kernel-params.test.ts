// The kernel parameters the model takes from the sysctls a run read in the lab.
import { describe, expect, it } from "vitest";
import { kernelParams } from "../../src/plan/index.js";

describe("kernelParams: what the lab read, for the model", () => {
  it("tcp_syn_linear_timeouts as read; absent (older kernels) is 0", () => {
    const read = { "net.ipv4.tcp_syn_linear_timeouts": "4" };
    expect(kernelParams(read, 250).synLinearTimeouts).toBe(4);
    expect(kernelParams({}, 250).synLinearTimeouts).toBe(0);
  });

  it("the router's ICMP rate limit, IPv4 or IPv6; the kernel's 1000 ms when not read", () => {
    expect(kernelParams({}, 250, { "net.ipv4.icmp_ratelimit": "0" }).icmpRatelimitMs).toBe(0);
    expect(kernelParams({}, 250, { "net.ipv6.icmp.ratelimit": "250" }).icmpRatelimitMs).toBe(250);
    expect(kernelParams({}, 250).icmpRatelimitMs).toBe(1000);
  });
});
