// End to end, as root: the middlebox verbs in a real router namespace (held by a Host), with the
// distribution's nft and conntrack. Each scenario's behaviour is tested with its fault.
import { describe, expect, it } from "vitest";
import { SetupError } from "../../src/errors.js";
import { IPV4, IPV6 } from "../../src/lab/addresses.js";
import { Host } from "../../src/lab/host.js";
import {
  flushConntrack,
  loadRules,
  masquerade,
  ruleset,
  statefulForward,
  tuneConntrack,
} from "../../src/lab/middlebox.js";
import { onPath } from "../../src/lab/privileges.js";
import { hostSysctls } from "../../src/lab/sysctl.js";
import { isRoot } from "./helpers.js";

const missing = ["nft", "conntrack"].filter((t) => !onPath(t));
if (isRoot && missing.length > 0)
  console.warn(`skipping middlebox lab tests: install nftables and conntrack (${missing})`);

describe.skipIf(!isRoot || missing.length > 0)("middlebox verbs in a router namespace", () => {
  it("sets conntrack's per-namespace knobs, loads every rule set, flushes", async () => {
    const router = await Host.start("router");
    try {
      await tuneConntrack(router, { establishedTimeoutS: 3, loose: false });
      const read = await hostSysctls(router, {}, [
        "net.netfilter.nf_conntrack_tcp_timeout_established",
        "net.netfilter.nf_conntrack_tcp_loose",
      ]);
      expect(read).toEqual({
        "net.netfilter.nf_conntrack_tcp_timeout_established": "3",
        "net.netfilter.nf_conntrack_tcp_loose": "0",
      });
      for (const forgotten of ["reset", "drop", "adopt"] as const)
        await loadRules(router, ruleset([statefulForward(forgotten)]), `rules ${forgotten}`);
      for (const plan of [IPV4, IPV6])
        await loadRules(router, ruleset([statefulForward("drop"), masquerade(plan, "s0")]), "nat");
      await flushConntrack(router);
    } finally {
      router.kill();
      await router.exited;
    }
  });

  it("a rule set nft refuses is a setup error naming the step", async () => {
    const router = await Host.start("router");
    try {
      await expect(
        loadRules(router, "table inet tcpdrop { nonsense }", "bad rules"),
      ).rejects.toThrow(SetupError);
    } finally {
      router.kill();
      await router.exited;
    }
  });
});
