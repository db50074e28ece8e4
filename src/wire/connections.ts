// Which 4-tuple is which watched connection: read from the client's `connect OK` events,
// whose detail is "198.51.100.2:51984 -> 203.0.113.2:7000" (IPv6 addresses keep their colons;
// the port is after the last one).
import type { ConnectionEnds } from "./label.js";

export interface ConnectCall {
  side: string;
  conn: string;
  call: string;
  result: string;
  detail?: string;
}

export function connectionEnds(calls: ConnectCall[]): ConnectionEnds[] {
  return calls.flatMap((c) => {
    if (c.side !== "client" || c.call !== "connect" || c.result !== "OK" || !c.detail) return [];
    const [client, server] = c.detail.split(" -> ").map(endpoint);
    return client && server ? [{ id: c.conn, client, server }] : [];
  });
}

function endpoint(text: string): { ip: string; port: number } | null {
  const i = text.lastIndexOf(":");
  const port = Number(text.slice(i + 1));
  if (i < 0 || !Number.isInteger(port)) return null;
  return { ip: text.slice(0, i).replace(/^\[|\]$/g, ""), port };
}
