// The throwaway lab: three hosts (client, router, server), each its own network namespace held
// by an agent process, joined by veth pairs created inside the router's namespace, so no link
// ever touches the machine's own namespace. The router forwards between 198.51.100.0/24 and
// 203.0.113.0/24 and has no default route: no lab packet can leave the lab.

import { SetupError } from "../errors.js";
import {
  CLIENT_IP,
  CLIENT_SUBNET,
  PREFIX,
  ROUTER_CLIENT_IP,
  ROUTER_SERVER_IP,
  SERVER_IP,
  SERVER_PORT,
  SERVER_SUBNET,
} from "./addresses.js";
import { type AgentMessage, AgentProcess } from "./agent-process.js";
import { ipBatch } from "./exec.js";

/** Sysctls read from the client namespace for the report and the predictions. */
export const REPORTED_SYSCTLS = [
  "net.ipv4.tcp_retries2",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
  "net.ipv4.tcp_syn_retries",
];

export interface LabOptions {
  /** Sysctls for the client namespace only, e.g. {"net.ipv4.tcp_retries2": "5"}. */
  clientSysctls: Record<string, string>;
  serverFlags: string[];
  onMessage: (host: string, msg: AgentMessage) => void;
}

export class Lab {
  /** The client namespace's TCP sysctls as they were after setup. */
  sysctls: Record<string, string> = {};
  private booting: Promise<AgentProcess> | undefined;
  private tearingDown = false;
  /** Set once a fault may end the server (kill, crash, shutdown): its exit is then expected. */
  serverMayDie = false;
  private reportCrash: (err: SetupError) => void = () => {};
  /** Rejects when an agent dies that should not have: the run is then a setup error. */
  readonly crashed: Promise<never> = new Promise((_, reject) => {
    this.reportCrash = reject;
  });

  private constructor(
    readonly client: AgentProcess,
    readonly router: AgentProcess,
    public server: AgentProcess,
    private readonly options: LabOptions,
  ) {
    this.crashed.catch(() => {});
    for (const agent of [client, router, server]) this.watch(agent);
  }

  private watch(agent: AgentProcess): void {
    agent.exited.then(() => {
      const expected = this.tearingDown || (agent.host === "server" && this.serverMayDie);
      if (!expected) this.reportCrash(new SetupError(agent.deathReason()));
    });
  }

  static async build(options: LabOptions): Promise<Lab> {
    const start = (host: string, flags: string[] = []) =>
      AgentProcess.start(host, flags, options.onMessage);
    const started = await Promise.allSettled([
      start("client"),
      start("router"),
      start("server", options.serverFlags),
    ]);
    const agents = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) {
      for (const agent of agents) agent.kill("SIGKILL");
      throw failed.reason;
    }
    const [client, router, server] = agents;
    const lab = new Lab(client, router, server, options);
    try {
      await lab.wire();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  private async wire(): Promise<void> {
    const { client, router, server } = this;
    await ipBatch(
      router.pid,
      [
        `link add c0 type veth peer name eth0 netns ${client.pid}`,
        "link set lo up",
        `addr add ${ROUTER_CLIENT_IP}/${PREFIX} dev c0`,
        "link set c0 up",
        ...routerServerSide(server.pid),
      ],
      "wire the router",
    );
    const [, , , reply] = await Promise.all([
      ipBatch(
        client.pid,
        hostConfig(CLIENT_IP, ROUTER_CLIENT_IP, SERVER_SUBNET),
        "configure the client",
      ),
      ipBatch(
        server.pid,
        hostConfig(SERVER_IP, ROUTER_SERVER_IP, CLIENT_SUBNET),
        "configure the server",
      ),
      router.request("sysctl", { set: { "net.ipv4.ip_forward": "1" } }),
      client.request("sysctl", { set: this.options.clientSysctls, get: REPORTED_SYSCTLS }),
    ]);
    this.sysctls = reply.values as Record<string, string>;
    await server.request("listen", { ip: SERVER_IP, port: SERVER_PORT });
  }

  /**
   * The server host disappears without a word: the router first drops everything addressed to
   * it (a blackhole host route, more specific than the connected /24, so no ICMP is sent), the
   * server's link is deleted so nothing it sends can escape, then its agent is SIGKILLed and its
   * namespace, with all TCP state, is gone.
   */
  async crashServer(): Promise<void> {
    await ipBatch(
      this.router.pid,
      [`route add blackhole ${SERVER_IP}/32`, "link del s0"],
      "crash the server",
    );
    this.server.kill("SIGKILL");
    await this.server.exited;
  }

  /**
   * Power on a new server host: a fresh namespace and agent, not yet linked to the router.
   * Started ahead of time so that the reboot itself (rebootServer) takes only a few ms.
   */
  bootServer(): Promise<AgentProcess> {
    const booting = AgentProcess.start("server", this.options.serverFlags, this.options.onMessage);
    booting.then((agent) => this.watch(agent)).catch(() => {});
    this.booting = booting;
    return booting;
  }

  /** The crashed server comes back at the same address, in a new namespace with no TCP state. */
  async rebootServer(booted: AgentProcess): Promise<void> {
    this.server = booted;
    await ipBatch(this.router.pid, routerServerSide(booted.pid), "reconnect the server");
    await ipBatch(
      booted.pid,
      hostConfig(SERVER_IP, ROUTER_SERVER_IP, CLIENT_SUBNET),
      "configure the rebooted server",
    );
    await booted.request("listen", { ip: SERVER_IP, port: SERVER_PORT });
    await ipBatch(this.router.pid, [`route del blackhole ${SERVER_IP}/32`], "lift the blackhole");
  }

  /** End every agent; their namespaces, links and routes go with them. */
  async destroy(): Promise<void> {
    this.tearingDown = true;
    const booted = await this.booting?.catch(() => undefined);
    const agents = [this.client, this.router, this.server, ...(booted ? [booted] : [])];
    for (const agent of agents) agent.kill("SIGKILL");
    await Promise.all(agents.map((a) => a.exited));
  }
}

function routerServerSide(serverPid: number): string[] {
  return [
    `link add s0 type veth peer name eth0 netns ${serverPid}`,
    `addr add ${ROUTER_SERVER_IP}/${PREFIX} dev s0`,
    "link set s0 up",
  ];
}

/** An end host: its address, and a route to the other lab subnet only (no default route). */
function hostConfig(ip: string, gateway: string, otherSubnet: string): string[] {
  return [
    "link set lo up",
    `addr add ${ip}/${PREFIX} dev eth0`,
    "link set eth0 up",
    `route add ${otherSubnet} via ${gateway}`,
  ];
}
