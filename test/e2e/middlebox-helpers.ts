// What the middlebox end-to-end tests share: whether nft and conntrack are here (CI installs
// them; a skip names the packages), and reading one connection's calls out of a report.

import { execFileSync } from "node:child_process";
import { onPath } from "../../src/lab/privileges.js";
import type { Report, SocketEvent } from "../../src/types.js";
import { connection, isRoot } from "./helpers.js";

export const missingTools = ["nft", "conntrack"].filter((t) => !onPath(t));
if (isRoot && missingTools.length > 0)
  console.warn(`skipping middlebox tests: install nftables and conntrack (${missingTools})`);
export const canRun = isRoot && missingTools.length === 0;

/** The events of one side of a connection after the fault. */
export function after(report: Report, id: string, side: "client" | "server"): SocketEvent[] {
  return connection(report, id).events.filter((e) => e.side === side && e.tMs >= 0);
}

/** The first event of one call and result on one side of a connection after the fault. */
export function first(
  report: Report,
  id: string,
  side: "client" | "server",
  call: string,
  result: string,
): SocketEvent | undefined {
  return after(report, id, side).find((e) => e.call === call && e.result === result);
}

/** When one connection's client connected, in ms from the fault (negative: before it). */
export function connectedAt(report: Report, id: string): number {
  const connect = connection(report, id).events.find(
    (e) => e.side === "client" && e.call === "connect" && e.result === "OK",
  );
  if (!connect) throw new Error(`${id}: no connect`);
  return connect.tMs;
}

export function within(ms: number | undefined, from: number, to: number): void {
  if (ms === undefined) throw new Error(`no such event (wanted ${from}..${to} ms)`);
  if (ms < from || ms > to) throw new Error(`${ms} ms is outside ${from}..${to} ms`);
}

/** The machine's own nftables rule set: a middlebox run must never touch it. */
export function hostRuleset(): string {
  return execFileSync("nft", ["list", "ruleset"], { encoding: "utf8" });
}
