// Flag values -> Settings. Every bad value is a UsageError that names the flag, what it got,
// and what it takes.
import {
  DEFAULT_HEARTBEAT_FLAG,
  DEFAULT_IDLE_TIMEOUT_S,
  FOLLOW_UP_GAP_MS,
  REQUEST_AFTER_TIMEOUT_MS,
} from "../defaults.js";
import { UsageError } from "../errors.js";
import { type RemoteFlags, withRemote } from "../remote/options.js";
import {
  DETECT_METHODS,
  type DetectMethod,
  type Engine,
  type KeepaliveSetting,
  type Settings,
} from "../types.js";
import { type ProgramFlags, parseProgramFlags } from "./program-flags.js";

export interface SettingFlags extends RemoteFlags, ProgramFlags {
  engine?: string;
  keepalive?: string;
  userTimeout?: string;
  retries2?: string;
  window?: string;
  grace?: string;
  ignoreSigterm?: boolean;
  detect?: string[];
  heartbeat?: string;
  recverr?: boolean;
  sigpipe?: string;
  ipv6?: boolean;
  synRetries?: string;
  icmpRatelimit?: string;
  duration?: string;
  observer?: string;
  connections?: string;
  events?: string;
  idleTimeout?: string;
  requestAfter?: string;
  loose?: string;
  packets?: string;
  preFault?: string;
  followUpGap?: string;
}

export const MAX_WINDOW_S = 1200;
const MAX_PRE_FAULT_MS = 60_000;
const MAX_FOLLOW_UP_GAP_MS = 10_000;

export function parseSettings(flags: SettingFlags): Settings {
  return withRemote(flags, {
    engine: parseEngine(flags.engine ?? "syscall"),
    keepalive: parseKeepalive(flags.keepalive ?? "off"),
    userTimeoutMs:
      flags.userTimeout === undefined
        ? null
        : integer("--user-timeout", flags.userTimeout, 1, 3_600_000, "milliseconds"),
    retries2:
      flags.retries2 === undefined
        ? null
        : integer("--retries2", flags.retries2, 1, 30, "retransmissions"),
    windowS: seconds("--window", flags.window ?? "10", 0.1, MAX_WINDOW_S),
    ignoreSigterm: flags.ignoreSigterm ?? false,
    graceMs: Math.round(seconds("--grace", flags.grace ?? "2", 0, 60) * 1000),
    detect: parseDetect(flags.detect ?? []),
    heartbeat: parseHeartbeat(flags.heartbeat ?? DEFAULT_HEARTBEAT_FLAG),
    recverr: flags.recverr ?? false,
    sigpipe: parseSigpipe(flags.sigpipe ?? "ignore"),
    ipv6: flags.ipv6 ?? false,
    synRetries:
      flags.synRetries === undefined
        ? null
        : integer("--syn-retries", flags.synRetries, 1, 10, "SYN retransmissions"),
    icmpRatelimitMs:
      flags.icmpRatelimit === undefined
        ? null
        : integer("--icmp-ratelimit", flags.icmpRatelimit, 0, 60_000, "milliseconds"),
    durationMs: Math.round(seconds("--duration", flags.duration ?? "3", 0, 600) * 1000),
    ...(flags.observer === undefined ? {} : { observer: parseObserver(flags.observer) }),
    connections:
      flags.connections === undefined
        ? 1
        : integer("--connections", flags.connections, 1, 20_000, "connections per workload"),
    events: parseEvents(flags.events ?? "summary"),
    ...middleboxSettings(flags),
    packets: parsePackets(flags.packets ?? "on"),
    ...phaseSettings(flags),
    ...programsOf(flags),
  });
}

/** A middlebox's idle timeout, when the pooled request goes out, and conntrack's loose pickup. */
export function middleboxSettings(
  flags: Pick<SettingFlags, "idleTimeout" | "requestAfter" | "loose">,
): Pick<Settings, "idleTimeoutS" | "requestAfterMs" | "loose"> {
  const idleTimeoutS = integer(
    "--idle-timeout",
    flags.idleTimeout ?? String(DEFAULT_IDLE_TIMEOUT_S),
    1,
    86_400,
    "seconds",
  );
  const requestAfterMs =
    flags.requestAfter === undefined
      ? idleTimeoutS * 1000 + REQUEST_AFTER_TIMEOUT_MS
      : Math.round(seconds("--request-after", flags.requestAfter, 0, MAX_WINDOW_S) * 1000);
  const loose = flags.loose ?? "off";
  if (loose !== "on" && loose !== "off") {
    throw new UsageError(
      `--loose takes "on" (nf_conntrack_tcp_loose=1: pick up flows mid-stream) or "off"; got "${loose}"`,
    );
  }
  return { idleTimeoutS, requestAfterMs, loose: loose === "on" };
}

/** How long connections live before the fault, and the gap between follow-up calls, in ms. */
export function phaseSettings(
  flags: Pick<SettingFlags, "preFault" | "followUpGap">,
): Pick<Settings, "preFaultMs" | "followUpGapMs"> {
  // Without --pre-fault the default depends on what the run watches: scenarioSettings
  // (plan/watched.ts) fills it in with defaultPreFaultMs (plan/timing.ts).
  return {
    ...(flags.preFault === undefined
      ? {}
      : {
          preFaultMs: integer("--pre-fault", flags.preFault, 0, MAX_PRE_FAULT_MS, "milliseconds"),
        }),
    followUpGapMs:
      flags.followUpGap === undefined
        ? FOLLOW_UP_GAP_MS
        : integer("--follow-up-gap", flags.followUpGap, 0, MAX_FOLLOW_UP_GAP_MS, "milliseconds"),
  };
}

/** --detect recv,poll or repeated --detect, or "all". */
export function parseDetect(values: string[]): DetectMethod[] {
  const names = values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.includes("all")) return [...DETECT_METHODS];
  for (const name of names) {
    if (!(DETECT_METHODS as readonly string[]).includes(name)) {
      throw new UsageError(`--detect takes ${DETECT_METHODS.join(", ")} or all; got "${name}"`);
    }
  }
  return [...new Set(names)] as DetectMethod[];
}

/** --heartbeat P,N: a ping every P ms, the peer declared dead after N unanswered. */
export function parseHeartbeat(value: string): { intervalMs: number; misses: number } {
  const match = /^(\d+),(\d+)$/.exec(value.trim());
  const [p, n] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || p < 10 || p > 60_000 || n < 1 || n > 100) {
    throw new UsageError(
      `--heartbeat takes P,N: a ping every P ms (10-60000), dead after N misses (1-100); got "${value}"`,
    );
  }
  return { intervalMs: p, misses: n };
}

function parseEvents(value: string): "all" | "summary" {
  if (value === "all" || value === "summary") return value;
  throw new UsageError(`--events takes "all" or "summary"; got "${value}"`);
}

function parseObserver(value: string): "client" | "server" {
  if (value === "client" || value === "server") return value;
  throw new UsageError(`--observer takes "client" or "server"; got "${value}"`);
}

function parseSigpipe(value: string): boolean {
  if (value === "ignore") return false;
  if (value === "default") return true;
  throw new UsageError(
    `--sigpipe takes "ignore" (MSG_NOSIGNAL, the default) or "default" (SIGPIPE kills the writer); got "${value}"`,
  );
}

export function parseEngine(value: string): Engine {
  if (value === "syscall" || value === "node") return value;
  throw new UsageError(
    `--engine takes "syscall" (raw libc calls) or "node" (node:net sockets); got "${value}"`,
  );
}

export function parseKeepalive(value: string): KeepaliveSetting | null {
  if (value === "off") return null;
  const parts = value.split(",");
  const usage = `--keepalive takes IDLE,INTVL,CNT in whole seconds (e.g. 1,1,2) or "off"; got "${value}"`;
  if (parts.length !== 3) throw new UsageError(usage);
  const [idle, interval, count] = parts.map((p) => {
    if (!/^\d+$/.test(p.trim())) throw new UsageError(usage);
    return Number(p);
  });
  // The kernel's limits: TCP_KEEPIDLE and TCP_KEEPINTVL 1..32767 s, TCP_KEEPCNT 1..127.
  if (idle < 1 || idle > 32767 || interval < 1 || interval > 32767 || count < 1 || count > 127) {
    throw new UsageError(
      `--keepalive ${value}: the kernel takes IDLE and INTVL from 1 to 32767 s and CNT from 1 to 127`,
    );
  }
  return { idle, interval, count };
}

function integer(flag: string, value: string, min: number, max: number, unit: string): number {
  if (!/^\d+$/.test(value.trim())) {
    throw new UsageError(
      `${flag} takes a whole number of ${unit} from ${min} to ${max}; got "${value}"`,
    );
  }
  const n = Number(value);
  if (n < min || n > max)
    throw new UsageError(`${flag} ${value} is out of range: use ${min} to ${max} ${unit}`);
  return n;
}

/** Seconds, written "10", "2.5", "10s" or "500ms". */
function seconds(flag: string, value: string, min: number, max: number): number {
  const match = /^(\d+(?:\.\d+)?)(s|ms)?$/.exec(value.trim());
  if (!match)
    throw new UsageError(
      `${flag} takes a duration in seconds such as 10, 2.5s or 500ms; got "${value}"`,
    );
  const s = match[2] === "ms" ? Number(match[1]) / 1000 : Number(match[1]);
  if (s < min || s > max)
    throw new UsageError(`${flag} ${value} is out of range: use ${min} to ${max} s`);
  return s;
}

/** A whole-number flag such as --repeat or --parallel; the default when the flag is absent. */
export function parseCount(
  flag: string,
  value: string | undefined,
  fallback: number,
  max: number,
): number {
  return value === undefined ? fallback : integer(flag, value, 1, max, "times");
}

function parsePackets(value: string): "on" | "off" {
  if (value === "on" || value === "off") return value;
  throw new UsageError(`--packets takes "on" or "off"; got "${value}"`);
}

function programsOf(flags: ProgramFlags): Pick<Settings, "programs"> {
  const programs = parseProgramFlags(flags);
  return programs ? { programs } : {};
}
