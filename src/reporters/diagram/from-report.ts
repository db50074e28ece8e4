// One run of the report as a sequence diagram's input: its labelled packets (kept beside the
// report, src/wire/store.ts), both sides' calls (without the sink's successful reads), the
// fault and what the lab did after it (a host's death, its reboot), the kernel timers as the
// wire shows them, and each connection's prediction next to what it measured.
import type { RunReport } from "../../types.js";
import { diagramFromWire } from "../../wire/diagram-input.js";
import { keptPart, wireOf } from "../../wire/store.js";
import { timerSpans } from "../../wire/timers.js";
import type { DiagramInput } from "./types.js";

/** Scenarios whose fault takes a host away at t=0, and which host. */
const HOST_DIES: Record<string, string> = {
  "host-crash": "server",
  "crash-reboot": "server",
  "host-unreachable": "server",
  "net-unreachable": "server",
  "connect-dead-host": "server",
  "client-crash": "client",
};

/** The handshake is enough of what came before the fault. */
const FROM_MS = -300;

export function diagramOfRun(run: RunReport, title: string): DiagramInput | null {
  const wire = wireOf(run);
  if (!wire) return null;
  const packets = keptPart(wire, "packets", "--diagram");
  const laneOf = (ip: string) => wire.lanes[ip] ?? "router";
  const dies = HOST_DIES[run.scenario];
  const hostEvents = [
    ...(dies
      ? [{ tMs: 0, lane: dies, kind: "host-death" as const, text: `${dies} host dies` }]
      : []),
    ...run.steps
      .filter((s) => /is back/.test(s.what))
      .map((s) => ({ tMs: s.tMs, lane: "server", kind: "reboot" as const, text: s.what })),
  ];
  const calls = run.connections.flatMap((c) =>
    c.events
      .filter((e) => !(e.side === "server" && e.call === "recv" && e.result === "OK"))
      .filter((e) => e.call !== "tcp_info")
      .map((e) => ({
        tMs: e.tMs,
        lane: e.side,
        conn: c.id,
        call: e.call,
        result: e.result,
        ...(e.detail ? { detail: e.detail } : {}),
      })),
  );
  calls.sort((a, b) => a.tMs - b.tMs);
  const predictions = run.connections.flatMap((c) =>
    c.predicted
      ? [
          {
            lane: c.side,
            conn: c.id,
            tMs: c.predicted.afterMs,
            result: c.predicted.result ?? "nothing",
            measuredMs: c.firstFailure?.afterMs ?? null,
            basis: c.predicted.basis,
          },
        ]
      : [],
  );
  return diagramFromWire({
    title,
    subtitle: run.summary,
    lanes: wire.lanes,
    packets,
    calls,
    fault: run.summary,
    hostEvents,
    spans: timerSpans(
      packets.filter((p) => p.tMs > FROM_MS),
      laneOf,
    ),
    predictions,
    fromMs: FROM_MS,
  });
}
