// middlebox-reset: a firewall or IDS in the path resets the connection at both ends. Before
// the client connects, an agent in the router starts following every segment it forwards
// (a packet socket) and remembers the next sequence number each end will send. At t=0 it
// sends a RST to each end, forged as if from the other and carrying exactly the sequence
// number that end expects (an inexact one would only draw a challenge ACK, RFC 5961). Both
// kernels drop the connection at once: a pending recv fails ECONNRESET on either side (the
// writer's too: it reads whatever comes back), and later sends fail EPIPE. Unlike a `reject with tcp reset` rule, which answers
// only whoever sends next, an idle end learns at once too. IPv4 only.
import { UsageError } from "../errors.js";
import { resetBothEnds } from "../predict/index.js";
import type { Fault } from "./fault.js";

export const middleboxReset: Fault = {
  name: "middlebox-reset",
  observers: ["client"],
  serverMayDie: false,
  remote: {
    needs: "lab",
    why: "the middlebox is the lab's router: an agent there resets both ends",
  },
  // It acts on the router only: any server's connections go through it alike.
  foreignServer: "as-is",
  wire: () => resetBothEnds(),
  async prepare({ lab }) {
    if (lab.plan.family !== "ipv4") {
      throw new UsageError("middlebox-reset forges IPv4 resets only: run it without --ipv6");
    }
    const router = await lab.routerAgent();
    const clientPrefix = lab.plan.client.split(".").slice(0, 3).join(".");
    await router.request({ op: "track", clientPrefix: `${clientPrefix}.` });
  },
  async inject({ lab }) {
    const router = await lab.routerAgent();
    const { t } = await router.request({ op: "reset-flows" });
    return { at: t };
  },
};
