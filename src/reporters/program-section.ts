// The human report's part about the user's own programs (--client-cmd, --server-cmd): the
// command, how it ended, the socket options each connection was given, the calls still
// blocked (the hang users hunt for), and the last lines it wrote.
import type { ChalkInstance } from "chalk";
import type { ProgramReport, RunReport } from "../types.js";

function ending(p: ProgramReport): string {
  if (p.exit === null) return "still running when the run ended (tcpdrop killed it)";
  const at = `${p.exit.afterMs < 0 ? "−" : "+"}${(Math.abs(p.exit.afterMs) / 1000).toFixed(3)} s`;
  return p.exit.signal
    ? `killed by ${p.exit.signal} at ${at}`
    : `exited with code ${p.exit.code} at ${at}`;
}

function one(title: string, p: ProgramReport, c: ChalkInstance): string[] {
  const out = [`${c.bold(title)} ${p.command}`, `  ${ending(p)}`];
  const tail = (name: string, lines: string[]) => {
    if (lines.length === 0) return;
    out.push(`  last ${name}:`, ...lines.slice(-5).map((l) => c.dim(`    ${l}`)));
  };
  tail("stdout", p.stdoutTail);
  tail("stderr", p.stderrTail);
  return out;
}

export function programSection(run: RunReport, c: ChalkInstance): string[] {
  if (!run.program && !run.serverProgram) return [];
  const out: string[] = [];
  if (run.program) out.push(...one("client program:", run.program, c));
  if (run.serverProgram) out.push(...one("server program:", run.serverProgram, c));
  for (const conn of run.connections) {
    if (conn.options !== undefined) out.push(`  ${conn.id}: ${conn.options}`);
    for (const b of conn.blocked ?? []) out.push(`  ${conn.id}: ${c.yellow(b.text)}`);
  }
  return out;
}
