// The agent itself, wherever it runs: the protocol's commands turned into socket calls (the
// watched client connections, the server process and the actions faults ask of it, the
// router's eye for middlebox-reset), and every call that returned turned into a message. It
// knows neither stdin nor stdout: it is built with its host's name and flags, a function that
// sends one message to the runner, and one that creates a socket in its host. main.ts runs it
// as a process of its own (JSON lines); src/transport/in-process.ts runs it inside tcpdrop.
// vanish() is the end of its process as the kernel sees it: every socket closes at once.
import { nowMs } from "../clock.js";
import type { AgentMessage, Command, Reply, ServerAction } from "../protocol.js";
import { tcpInfo } from "./calls.js";
import { ClientConnection } from "./client.js";
import { type AgentContext, emitCall, type OpenSocket } from "./context.js";
import { SendHold } from "./hold.js";
import { NodeClientConnection } from "./node-client.js";
import type { Poller } from "./poller.js";
import { RstTracker } from "./rst-tracker.js";
import { Server } from "./server.js";
import { briefTcpInfo } from "./tcpinfo.js";

const CONNECT_WAVE = 500;
const CONNECT_WAVE_GAP_MS = 50;

/** The ops an agent answers as "the host" (remote mode), not as a process with sockets. */
export type HostOp = "host-info" | "signal" | "firewall";
type CoreOp = Exclude<Command["op"], HostOp>;

export type Handlers<Ops extends Command["op"]> = {
  [Op in Ops]: (cmd: Extract<Command, { op: Op }>) => Reply<Op> | Promise<Reply<Op>>;
};

export interface AgentCoreOptions {
  /** The host's name (client, server, router, ...), as in the agent's hello. */
  host: string;
  /** No event for each call that worked (thousands of connections). */
  quiet: boolean;
  /** One of several server agents sharing the test port (SO_REUSEPORT). */
  reusePort: boolean;
  poller: Poller;
  openSocket: OpenSocket;
  emit: (message: AgentMessage) => void;
  /** The runner asked the agent to exit (op "exit"). */
  onExit: () => void;
  /** Thousands of quiet connections are coming: batch the output, if the agent can. */
  onQuiet?: () => void;
  /** The host's own ops (remote mode); without them the agent refuses those ops. */
  hostOps?: Handlers<HostOp>;
  /** Whether node:net connections may be made here (never inside tcpdrop's own process). */
  nodeEngine: boolean;
}

export class AgentCore {
  readonly server: Server;
  private readonly ctx: AgentContext;
  private readonly clients = new Map<string, ClientConnection | NodeClientConnection>();
  /** In the router: the firewall eye that middlebox-reset uses (op "track", then "reset-flows"). */
  private tracker: RstTracker | undefined;
  /** Connections still to be opened in a later wave. */
  private readonly waves = new Set<NodeJS.Timeout>();
  private gone = false;
  private readonly handlers: Handlers<CoreOp>;

  constructor(private readonly options: AgentCoreOptions) {
    const emit = (message: AgentMessage) => {
      if (!this.gone) options.emit(message);
    };
    this.ctx = {
      poller: options.poller,
      openSocket: options.openSocket,
      emit,
      sends: new SendHold(),
    };
    this.server = new Server(this.ctx, options.quiet, options.reusePort);
    this.handlers = this.socketHandlers();
  }

  get host(): string {
    return this.options.host;
  }

  /** Run one command; its reply (and any event it caused, first) goes out through emit. */
  async handle(cmd: Command): Promise<void> {
    const { hostOps } = this.options;
    const own = cmd.op in this.handlers;
    const handler = (own ? this.handlers : hostOps)?.[cmd.op as CoreOp & HostOp] as
      | ((c: Command) => unknown)
      | undefined;
    try {
      if (!handler) throw new Error(`"${cmd.op}" is answered only by an agent of its own`);
      const reply = (await handler(cmd)) as object;
      this.ctx.emit({ type: "reply", id: cmd.id, ok: true, ...reply });
    } catch (err) {
      this.ctx.emit({ type: "reply", id: cmd.id, ok: false, error: (err as Error).message });
    }
  }

  /** Have the server act on its sockets (a command, or SIGTERM in main.ts). */
  act(action: ServerAction, backlog?: number): void {
    const server = this.server;
    const actions: Record<ServerAction, () => void> = {
      "close-all": () => server.closeAll(),
      "abort-all": () => server.abortAll(),
      "shutdown-all": () => server.shutdownAll(),
      "pause-reads": () => server.pauseReads(),
      "read-heads": () => server.readHeads(),
      "pause-accept": () => server.pauseAccept(backlog ?? 0),
      unlisten: () => server.unlisten(),
    };
    actions[action]();
  }

  /**
   * SIGTERM reached the server's process: its handler closes every connection (FIN, or RST
   * where data is unread) and the process then exits (true), unless it ignores the signal.
   */
  sigterm(ignore: boolean): boolean {
    const result = ignore ? "SIGTERM ignored" : "SIGTERM";
    emitCall(this.ctx, { side: "server", conn: "process", call: "signal", result });
    if (ignore) return false;
    this.act("close-all");
    return true;
  }

  /** Every socket this agent holds (its server's and its connections'), as descriptors. */
  openFds(): number[] {
    const conns = [...this.clients.values()].flatMap((c) =>
      c instanceof ClientConnection && c.fd >= 0 ? [c.fd] : [],
    );
    return [...this.server.heldFds(), ...conns];
  }

  /**
   * The agent's process is gone, as when the kernel ends one: every socket it holds closes at
   * once, nothing it scheduled runs, and it sends nothing more.
   */
  vanish(): void {
    if (this.gone) return;
    this.gone = true;
    for (const wave of this.waves) clearTimeout(wave);
    this.waves.clear();
    for (const conn of this.clients.values()) if (conn instanceof ClientConnection) conn.stop();
    this.clients.clear();
    this.server.closeEverything();
    this.tracker?.stop();
  }

  private socketHandlers(): Handlers<CoreOp> {
    const { ctx, server } = this;
    return {
      listen(cmd) {
        server.listen(cmd.ip, cmd.port);
        return {};
      },
      connect: (cmd) => this.connect(cmd),
      /** --observer server: watch accepted sockets (found by their peer's address). */
      adopt: (cmd) => {
        for (const spec of cmd.specs) {
          const fd = server.release(spec.peer);
          if (fd === null) throw new Error(`no accepted connection from ${spec.peer}`);
          const conn = new ClientConnection({ ...spec, side: "server" }, ctx, () => {}, fd);
          this.clients.set(spec.conn, conn);
          conn.start();
        }
        return {};
      },
      snapshot: (cmd) => {
        const t = nowMs();
        const info: Reply<"snapshot">["info"] = {};
        // Each reading carries its own time: thousands of them take a while.
        for (const [id, conn] of this.clients) {
          const reading = tcpInfo(conn.fd);
          info[id] =
            reading && (cmd.brief ? briefTcpInfo(reading, nowMs()) : { ...reading, t: nowMs() });
        }
        return { t, info };
      },
      release: () => {
        for (const conn of this.clients.values()) conn.release();
        return {};
      },
      /** Act on the server's sockets; the reply carries the time it started (the fault's t=0). */
      act: (cmd) => {
        const t = nowMs();
        this.act(cmd.action, cmd.backlog);
        return { t };
      },
      /** In the router: follow every forwarded segment (middlebox-reset's firewall eye). */
      track: (cmd) => {
        this.tracker ??= new RstTracker(ctx.poller, ctx.openSocket, cmd.clientPrefix);
        return {};
      },
      /** Reset every tracked flow at both ends; the reply carries the time (the fault's t=0). */
      "reset-flows": () => {
        const t = nowMs();
        return { t, flows: this.tracker?.resetAll() ?? 0 };
      },
      exit: () => {
        this.options.onExit();
        return {};
      },
    };
  }

  private connect(
    cmd: Extract<Command, { op: "connect" }>,
  ): Promise<Reply<"connect">> | Reply<"connect"> {
    const { specs } = cmd;
    if (!this.options.nodeEngine && specs.some((spec) => spec.engine === "node")) {
      throw new Error(
        "the node engine's sockets are made by libuv, not in a namespace step: it needs an agent process of its own",
      );
    }
    if (specs.some((spec) => spec.quiet)) {
      this.options.onQuiet?.();
      this.ctx.sends.hold();
    }
    const connecting = Promise.all(
      specs.map(
        (spec, i) =>
          new Promise<boolean>((resolve) => {
            const conn =
              spec.engine === "node"
                ? new NodeClientConnection(spec, resolve)
                : new ClientConnection(spec, this.ctx, resolve);
            this.clients.set(spec.conn, conn);
            // Thousands of connections are opened in waves: connections opened together keep
            // their keepalive timers together, and thousands of probes in one timer tick
            // overflow the kernel's receive backlog, which delays some by 500 ms ("local
            // congestion", TCP_RESOURCE_PROBE_INTERVAL).
            const wave = Math.floor(i / CONNECT_WAVE);
            if (wave === 0) conn.start();
            else {
              const timer = setTimeout(() => {
                this.waves.delete(timer);
                conn.start();
              }, wave * CONNECT_WAVE_GAP_MS);
              this.waves.add(timer);
            }
          }),
      ),
    ).then((results) => {
      this.ctx.sends.release();
      return { connected: results.filter(Boolean).length };
    });
    // Observed connects (to a dead host, say) may take long: answer at once if asked to.
    return cmd.wait === false ? { connected: null } : connecting;
  }
}
