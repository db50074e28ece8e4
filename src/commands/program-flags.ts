// --client-cmd, --server-cmd and --fault-after -> the settings' `programs`: the user's own
// programs in the lab (see src/runner/program-run.ts). An empty command is a usage error.
import { UsageError } from "../errors.js";
import type { ProgramCommands } from "../types.js";

export interface ProgramFlags {
  clientCmd?: string;
  serverCmd?: string;
  faultAfter?: string;
}

/** The fault comes this long after the client program's first connection, by default. */
export const DEFAULT_FAULT_AFTER_S = 1;

export function parseProgramFlags(flags: ProgramFlags): ProgramCommands | undefined {
  const { clientCmd, serverCmd, faultAfter } = flags;
  if (clientCmd === undefined && serverCmd === undefined) {
    if (faultAfter !== undefined)
      throw new UsageError("--fault-after goes with --client-cmd or --server-cmd");
    return undefined;
  }
  for (const [flag, value] of [
    ["--client-cmd", clientCmd],
    ["--server-cmd", serverCmd],
  ] as const) {
    if (value !== undefined && value.trim() === "")
      throw new UsageError(
        `${flag} is empty: give the command to run, e.g. ${flag === "--client-cmd" ? "--client-cmd 'curl -sS http://{server}:{port}/'" : "--server-cmd 'python3 -m http.server --bind {server} {port}'"}`,
      );
  }
  const seconds = Number(faultAfter ?? DEFAULT_FAULT_AFTER_S);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600)
    throw new UsageError(
      `--fault-after: "${faultAfter}" is not a time in seconds from 0 to 600 (e.g. --fault-after 0.5)`,
    );
  return {
    client: clientCmd ?? null,
    server: serverCmd ?? null,
    faultAfterMs: Math.round(seconds * 1000),
  };
}
