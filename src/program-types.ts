// The user's own programs in a run (--client-cmd, --server-cmd): the commands as settings, and
// what the report says of each program (src/program, src/runner/program-run.ts).

/** --client-cmd / --server-cmd and --fault-after (src/program, src/runner/program-run.ts). */
export interface ProgramCommands {
  client: string | null;
  server: string | null;
  /** The fault comes this long after the client program's first connection is established. */
  faultAfterMs: number;
}

/** A traced program's run: its command, its exit (null: still running at the end), its output. */
export interface ProgramReport {
  command: string;
  exit: { code: number | null; signal: string | null; afterMs: number } | null;
  stdoutTail: string[];
  stderrTail: string[];
}

/** A program's call that had not returned: "blocked in read since −0.8 s". */
export interface BlockedReport {
  call: string;
  sinceMs: number;
  /** When its process died inside it; null when it was still blocked when the run ended. */
  endedMs: number | null;
  text: string;
}
