// The settings a traced program gave its socket, in the shape the timer model takes for
// tcpdrop's own agents: keepalive (idle, interval, count in seconds) or off, TCP_USER_TIMEOUT.
// Read from its setsockopt calls, the last value of each option winning (node sets keepalive
// twice); an option the program left alone takes the namespace's sysctl, as the kernel does.
import type { SocketOption } from "./trace-types.js";

export interface ProgramSettings {
  keepalive: { idle: number; interval: number; count: number } | null;
  userTimeoutMs: number | null;
  /** Which of the values the program set itself (the others are the sysctls'). */
  setByProgram: string[];
}

/** The namespace's keepalive sysctls, as read from the lab. */
export interface KeepaliveSysctls {
  keepaliveTime: number;
  keepaliveIntvl: number;
  keepaliveProbes: number;
}

export function programSettings(
  options: SocketOption[],
  sysctls: KeepaliveSysctls,
): ProgramSettings {
  const last = new Map<string, number>();
  for (const option of options)
    if (typeof option.value === "number") last.set(option.name, option.value);
  const setByProgram = [
    "SO_KEEPALIVE",
    "TCP_KEEPIDLE",
    "TCP_KEEPINTVL",
    "TCP_KEEPCNT",
    "TCP_USER_TIMEOUT",
  ].filter((name) => last.has(name));
  const on = (last.get("SO_KEEPALIVE") ?? 0) !== 0;
  const keepalive = on
    ? {
        idle: last.get("TCP_KEEPIDLE") ?? sysctls.keepaliveTime,
        interval: last.get("TCP_KEEPINTVL") ?? sysctls.keepaliveIntvl,
        count: last.get("TCP_KEEPCNT") ?? sysctls.keepaliveProbes,
      }
    : null;
  const userTimeout = last.get("TCP_USER_TIMEOUT");
  return { keepalive, userTimeoutMs: userTimeout ? userTimeout : null, setByProgram };
}

/** "SO_KEEPALIVE=1 TCP_KEEPIDLE=1 TCP_KEEPINTVL=1 (TCP_KEEPCNT=9 from the sysctl)". */
export function describeSettings(settings: ProgramSettings): string {
  if (!settings.keepalive && settings.userTimeoutMs === null)
    return "no keepalive, no TCP_USER_TIMEOUT";
  const parts: string[] = [];
  const own = (name: string) => settings.setByProgram.includes(name);
  const value = (name: string, v: number) => (own(name) ? `${name}=${v}` : `${name}=${v} (sysctl)`);
  if (settings.keepalive) {
    const { idle, interval, count } = settings.keepalive;
    parts.push(
      "SO_KEEPALIVE=1",
      value("TCP_KEEPIDLE", idle),
      value("TCP_KEEPINTVL", interval),
      value("TCP_KEEPCNT", count),
    );
  }
  if (settings.userTimeoutMs !== null) parts.push(`TCP_USER_TIMEOUT=${settings.userTimeoutMs}`);
  return parts.join(" ");
}
