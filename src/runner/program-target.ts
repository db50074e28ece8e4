// What expectations on a traced program are checked against: `program:` stands for every
// connection the client program made (its first failure is the earliest of theirs, its
// prediction that of its first connection to the server), `server-program:` for the server
// program's; each connection can also be named by its own 4-tuple id.
import type { ProgramsById } from "../expect/index.js";
import type { ConnectionReport, ProgramReport } from "../types.js";

export function programTarget(
  connections: ConnectionReport[],
  serverAddress: string,
  programs: { program?: ProgramReport; serverProgram?: ProgramReport },
): { connections: ConnectionReport[]; programs: ProgramsById } {
  const out = [...connections];
  if (programs.program) out.push(aggregate("program", connections, serverAddress));
  if (programs.serverProgram) out.push(aggregate("server-program", connections, serverAddress));
  return {
    connections: out,
    programs: { program: programs.program, "server-program": programs.serverProgram },
  };
}

function aggregate(
  id: string,
  connections: ConnectionReport[],
  serverAddress: string,
): ConnectionReport {
  const failures = connections
    .map((c) => c.firstFailure)
    .filter((f) => f !== null)
    .sort((a, b) => a.afterMs - b.afterMs);
  const first = connections.find((c) => c.id.endsWith(`->${serverAddress}`)) ?? connections[0];
  return {
    id,
    side: first?.side ?? "client",
    workload: "program",
    firstFailure: failures[0] ?? null,
    predicted: first?.predicted ?? null,
    events: connections.flatMap((c) => c.events).sort((a, b) => a.tMs - b.tMs),
  };
}
