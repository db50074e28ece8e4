// Small readers for strace's notation: a top-level argument list, a descriptor with its -yy
// decoration ("3<TCP:[198.51.100.2:40126->203.0.113.2:7000]>"), the TCP socket inside it, and
// the address of a connect().
import type { SocketRef } from "./trace-types.js";

/** Split "a, {b, c}, [d]" at the commas that are not inside brackets, braces or quotes. */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === "\\") i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === "(" || c === "[" || c === "{" || c === "<") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    // "->" in a 4-tuple and "=>" in a changed length ([128 => 16]) are not closing brackets.
    else if (c === ">" && text[i - 1] !== "-" && text[i - 1] !== "=") depth--;
    else if (c === "," && depth === 0) {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = text.slice(start).trim();
  if (last !== "" || args.length > 0) args.push(last);
  return args;
}

/** A descriptor with its optional <decoration>: "19<TCP:[115058]>" -> {fd: 19, decoration}. */
export function parseFd(text: string): { fd: number; decoration: string | null } | null {
  const m = /^(\d+)(<.*>)?$/s.exec(text.trim());
  if (!m) return null;
  return { fd: Number(m[1]), decoration: m[2] ? m[2].slice(1, -1) : null };
}

/** The TCP socket in a decoration ("TCP:[...]", "TCPv6:[...]"); null for anything else. */
export function parseSocket(decoration: string | null): SocketRef | null {
  const m = decoration ? /^(TCPv6|TCP):\[(.*)\]$/.exec(decoration) : null;
  if (!m) return null;
  const [, proto, inner] = m;
  const ref: SocketRef = { proto, tuple: null, local: null, inode: null };
  const arrow = inner.indexOf("->");
  if (arrow >= 0) ref.tuple = { src: inner.slice(0, arrow), dst: inner.slice(arrow + 2) };
  else if (/^\d+$/.test(inner)) ref.inode = Number(inner);
  else ref.local = inner;
  return ref;
}

/** The address in a connect()/bind() sockaddr, written the way -yy writes 4-tuples. */
export function parseSockaddr(text: string): string | null {
  const port = /sin6?_port=htons\((\d+)\)/.exec(text)?.[1];
  if (port === undefined) return null;
  const v4 = /inet_addr\("([^"]+)"\)/.exec(text)?.[1];
  if (v4) return `${v4}:${port}`;
  const v6 = /inet_pton\(AF_INET6, "([^"]+)"/.exec(text)?.[1];
  return v6 ? `[${v6}]:${port}` : null;
}

/** "POLLIN|POLLRDHUP" -> ["POLLIN", "POLLRDHUP"]. */
export function flags(text: string): string[] {
  return text.split("|").map((f) => f.trim());
}

/** "[1]" -> 1, "[ECONNREFUSED]" -> "ECONNREFUSED"; structures stay strace's text. */
export function optionValue(text: string): number | string {
  const m = /^\[(-?\d+|[A-Z][A-Z0-9_]*)\]$/.exec(text.trim());
  if (!m) return text.trim();
  return /^-?\d+$/.test(m[1]) ? Number(m[1]) : m[1];
}
