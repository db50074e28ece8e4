// What a fault is: one file in this folder that says what happens on the wire (its opening
// comment), which observers can watch it, whether the server may die, how it looks on the wire
// for the model (a WireEffect from src/predict), and how to inject it with the lab's verbs.
import type { AddressPlan } from "../lab/addresses.js";
import type { Host } from "../lab/host.js";
import type { Lab } from "../lab/lab.js";
import type { WireEffect } from "../predict/index.js";
import type { RemoteStage } from "../remote/stage.js";
import type { Settings, Side } from "../types.js";

/** The scenario fields a fault may read (a scenario file's own knobs). */
export interface FaultParams {
  /** crash-reboot: how long the host stays down, in ms. */
  rebootAfterMs: number;
}

/** Facts a fault measures while it runs (a reboot's real time), for its wire effect. */
export type Measured = Record<string, number>;

export interface FaultContext {
  lab: Lab;
  settings: Settings;
  params: FaultParams;
  measured: Measured;
  /** Record a lab-level step (e.g. "server host back") at a monotonic time, for the report. */
  note: (t: number, what: string) => void;
  /**
   * Once the server has stopped reading: resolves when data a client sent is waiting unread at
   * the server (a few ms after the send returned, for it to land), or after capMs.
   */
  unreadData: (capMs: number) => Promise<void>;
}

/** Remote mode: the same, on hosts tcpdrop did not build (src/remote/stage.ts has the verbs). */
export interface RemoteFaultContext extends Omit<FaultContext, "lab"> {
  hosts: RemoteStage;
}

/** Whether and how a fault works between real hosts (remote mode). */
export interface RemoteInjection {
  /**
   * "process": only the server process acts or is signalled; "firewall": the server host's
   * silence is emulated with nftables rules there (root or CAP_NET_ADMIN on that host).
   */
  needs: "process" | "firewall";
  inject(ctx: RemoteFaultContext): Promise<Injected>;
}

/** A fault only the lab can stage (its router, links or namespaces), and why, in a few words. */
export interface LabOnly {
  needs: "lab";
  why: string;
}

export interface Injected {
  /** CLOCK_MONOTONIC ms at which the fault took effect: t=0 of the report. */
  at: number;
  /** Work the fault goes on doing after t=0 (a reboot, a delayed kill); awaited before teardown. */
  rest?: Promise<void>;
  /**
   * holdsFollowUps: the moment from which the client sees the fault's end state, where that
   * comes before the rest is done (a host gone silent is only then cut off and ended). The
   * held follow-up calls go on once it resolves, or once the rest is done if it never does.
   */
  released?: Promise<void>;
}

/** What the model is told about one watched connection (and, after a run, what was measured). */
export interface WireView {
  settings: Settings;
  workload: string;
  params: FaultParams;
  measured: Measured;
}

export interface Fault {
  /** The name scenario files use in their `fault:` field. */
  name: string;
  /** Whose sockets can watch it: the client's, and the server's where the fault can strike the client. */
  observers: readonly Side[];
  /** The server's process or host may end: its exit is then no setup error. */
  serverMayDie: boolean;
  /**
   * "real": the fault signals the server's process (`lab.signal`, `lab.processExit`,
   * `lab.startProcess`). SIGKILL and SIGSTOP then reach a real process that takes the server's
   * sockets over at the fault (src/transport/stand-in.ts; list STAND_IN_TOOLS in `tools`), and
   * SIGTERM runs the server's handler. Without it no process stands in for the server, and
   * `lab.signal` fails as a programming error naming this field.
   */
  serverProcess?: "real";
  /**
   * The fault goes on after its t=0 (its `rest`) in a way a follow-up call would race: a
   * shutdown's FIN comes first and the host goes away a few ms later. The watched connections
   * then hold their follow-up calls until the rest is done, so they always meet its end state.
   */
  holdsFollowUps?: true;
  /**
   * Its injection waits for the sending connections' next messages (unread-close lets them
   * pile up unread), so it does not strike at once: a watched heartbeat, whose pings count
   * from the connect, keeps the pre-fault's 50 ms even where the wire effect is immediate
   * (plan/timing.ts).
   */
  waitsForSends?: true;
  /**
   * Its `prepare` has the server read only a first byte of what each connection sends
   * (unread-close: the rest stays unread on purpose). The settle before the fault then waits
   * for those reads rather than for every byte, and `unreadData` for them to come first.
   */
  readsHeads?: true;
  /** System tools it needs beyond the lab's own (doctor checks them; a run without them is exit 2). */
  tools?: readonly { name: string; pkg: string }[];
  /** How the fault looks on the wire from one watched connection; predictions are made from it. */
  wire(view: WireView): WireEffect;
  /** Optional: set the stage after the lab is built and before the clients connect. */
  prepare?(ctx: FaultContext): Promise<void>;
  /**
   * Optional: set up the lab's router alone (a middlebox's conntrack and rules), while the rest
   * of the lab is wired: its namespace exists, its links may not yet. The lab is built once
   * this is done too.
   */
  prepareRouter?(router: Host, ctx: { settings: Settings; plan: AddressPlan }): Promise<void>;
  inject(ctx: FaultContext): Promise<Injected>;
  /**
   * How it is injected in remote mode; LabOnly or absent: it needs the lab (a router, a link, a
   * namespace), and remote mode refuses it in one line.
   */
  remote?: RemoteInjection | LabOnly;
  /**
   * On the user's own server (--server-cmd): "as-is" when `inject` acts on any process (a
   * signal, the host, the network); its own injection from outside the process; or a refusal
   * saying why (one line; the runner adds which scenarios do work).
   */
  foreignServer: "as-is" | { inject(ctx: FaultContext): Promise<Injected> } | { refuse: string };
}

/**
 * What a fault that signals the server's process needs beyond the lab's tools: the stand-in
 * that receives the signal is started through setpriv (src/transport/stand-in.ts).
 */
export const STAND_IN_TOOLS = [{ name: "setpriv", pkg: "util-linux" }] as const;
