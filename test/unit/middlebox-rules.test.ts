import { describe, expect, it } from "vitest";
import { SetupError } from "../../src/errors.js";
import { IPV4, IPV6 } from "../../src/lab/addresses.js";
import {
  conntrackSysctls,
  masquerade,
  ruleset,
  statefulForward,
  TABLE,
} from "../../src/lab/middlebox.js";

describe("conntrackSysctls", () => {
  it("names the per-namespace conntrack knobs", () => {
    expect(conntrackSysctls({ establishedTimeoutS: 3, loose: false })).toEqual({
      "net.netfilter.nf_conntrack_tcp_timeout_established": "3",
      "net.netfilter.nf_conntrack_tcp_loose": "0",
    });
    expect(conntrackSysctls({ loose: true })).toEqual({
      "net.netfilter.nf_conntrack_tcp_loose": "1",
    });
  });

  it("refuses a timeout that is not a whole number of seconds", () => {
    expect(() => conntrackSysctls({ establishedTimeoutS: 0.5 })).toThrow(SetupError);
    expect(() => conntrackSysctls({ establishedTimeoutS: 0 })).toThrow(SetupError);
  });
});

describe("rule sets", () => {
  it("reset: a forgotten flow's segment is answered with a TCP RST", () => {
    const text = statefulForward("reset");
    expect(text).toContain("ct state established,related accept");
    expect(text).toContain("reject with tcp reset");
    expect(text).toContain("policy drop");
  });

  it("drop: no reject, the policy drops it; adopt: NEW is accepted", () => {
    expect(statefulForward("drop")).not.toContain("reject");
    expect(statefulForward("adopt")).toContain("ct state new accept");
  });

  it("masquerade matches the lab's client subnet in its family, and input drops INVALID", () => {
    expect(masquerade(IPV4, "s0")).toContain('ip saddr 198.51.100.0/24 oifname "s0" masquerade');
    expect(masquerade(IPV6, "s0")).toContain("ip6 saddr 2001:db8:1::/64");
    expect(masquerade(IPV4, "s0")).toContain("ct state invalid drop");
  });

  it("the rule set replaces tcpdrop's own table and nothing else", () => {
    const text = ruleset([statefulForward("reset")]);
    const tables = text.match(/table inet \S+/g) ?? [];
    expect(new Set(tables)).toEqual(new Set([`table inet ${TABLE}`]));
    expect(text).not.toMatch(/flush ruleset/);
  });
});
