import { describe, expect, it } from "vitest";
import { routerIcmpLimiter, xrlimTimeoutJiffies } from "../../src/predict/icmp-ratelimit.js";

const feed = (limiter: (t: number) => string, times: number[]) => times.map((t) => limiter(t));

describe("xrlimTimeoutJiffies", () => {
  it("IPv4: icmp_ratelimit in jiffies", () => {
    expect(xrlimTimeoutJiffies({ family: "ipv4", ratelimitMs: 1000, hz: 250 })).toBe(250);
    expect(xrlimTimeoutJiffies({ family: "ipv4", ratelimitMs: 0, hz: 250 })).toBe(0);
  });
  it("IPv6: shifted by (128 - prefix) / 32: a quarter for a /64, all of it for a /128", () => {
    expect(xrlimTimeoutJiffies({ family: "ipv6", ratelimitMs: 1000, hz: 250 })).toBe(62);
    expect(
      xrlimTimeoutJiffies({ family: "ipv6", ratelimitMs: 1000, hz: 250, prefixLen: 128 }),
    ).toBe(250);
    expect(
      xrlimTimeoutJiffies({ family: "ipv6", ratelimitMs: 1000, hz: 1000, prefixLen: 96 }),
    ).toBe(500);
  });
});

describe("routerIcmpLimiter: IPv4, ip_error then icmpv4_xrlim_allow on one bucket", () => {
  it("stock (1000 ms): a burst of 2, then a segment each 2 s; a 1-2 s bucket is spent for nothing", () => {
    const l = routerIcmpLimiter({ family: "ipv4", ratelimitMs: 1000, hz: 250 });
    // Full bucket 1250 jiffies; each ICMP costs 250 (ip_error) + 250 (xrlim).
    expect(feed(l, [0, 0, 0])).toEqual(["sent", "sent", "xrlim"]);
    // The third spent ip_error's 250: the bucket is empty; 1.5 s later 375 jiffies.
    expect(l(1500)).toBe("xrlim");
    // 125 left; 1 s later 375: again only ip_error's share.
    expect(l(2500)).toBe("xrlim");
    expect(l(4500)).toBe("sent");
  });

  it("the lab's stock sequence: sends +150, +350, probe +360, send +550, RTOs: first ICMP after them at ~3.5 s", () => {
    const l = routerIcmpLimiter({ family: "ipv4", ratelimitMs: 1000, hz: 250 });
    expect(feed(l, [150, 350, 360, 550, 570, 1002, 1850, 3530])).toEqual([
      "sent",
      "sent",
      "xrlim",
      "ip_error",
      "ip_error",
      "ip_error",
      "xrlim",
      "sent",
    ]);
  });

  it("icmp_ratelimit 0: ip_error alone, a burst of 5 then one a second", () => {
    const l = routerIcmpLimiter({ family: "ipv4", ratelimitMs: 0, hz: 250 });
    expect(feed(l, [0, 0, 0, 0, 0, 0])).toEqual([
      "sent",
      "sent",
      "sent",
      "sent",
      "sent",
      "ip_error",
    ]);
    expect(l(900)).toBe("ip_error");
    expect(l(1000)).toBe("sent");
  });

  it("the bucket refills to ip_error's burst of 5 s, not more", () => {
    const l = routerIcmpLimiter({ family: "ipv4", ratelimitMs: 0, hz: 250 });
    expect(l(0)).toBe("sent");
    expect(feed(l, [600_000, 600_000, 600_000, 600_000, 600_000, 600_000])).toEqual([
      "sent",
      "sent",
      "sent",
      "sent",
      "sent",
      "ip_error",
    ]);
  });
});

describe("routerIcmpLimiter: IPv6, icmpv6_xrlim_allow only", () => {
  it("stock /64: 62-jiffy cost, burst of 6 x 62", () => {
    const l = routerIcmpLimiter({ family: "ipv6", ratelimitMs: 1000, hz: 250 });
    expect(feed(l, [0, 0, 0, 0, 0, 0, 0])).toEqual([
      "sent",
      "sent",
      "sent",
      "sent",
      "sent",
      "sent",
      "xrlim",
    ]);
    expect(l(200)).toBe("xrlim");
    expect(l(248)).toBe("sent");
  });

  it("ratelimit 0: everything is answered", () => {
    const l = routerIcmpLimiter({ family: "ipv6", ratelimitMs: 0, hz: 250 });
    expect(feed(l, Array(20).fill(5))).toEqual(Array(20).fill("sent"));
  });
});
