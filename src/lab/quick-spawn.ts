// Running a short-lived tool (ip, tc, nft, conntrack, through nsenter) without forking Node
// (posix-spawn.ts says why). The tool's input is written to a pipe before it starts (a lab's
// batches are a few kB, well under a pipe's 64 kB), its stdout goes to /dev/null and its
// stderr to a memfd, read once it has exited.
import koffi from "../agent/koffi.js";
import { c, errnoName, pipe, posixSpawn, waitExit } from "./posix-spawn.js";

const MFD_CLOEXEC = 1;
/** The most of the tool's stderr kept (its first line is what an error says). */
const STDERR_BYTES = 4096;
/** Larger input would not fit a pipe's buffer before the tool reads it. */
export const MAX_INPUT_BYTES = 60_000;

export interface QuickChild {
  readonly pid: number;
  /** Resolves with the exit code (null if a signal ended it) and what it wrote on stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** Start `file` (searched on PATH) with `args` and `input` on its stdin; rejects ("ENOENT"...) if it cannot. */
export async function quickSpawn(file: string, args: string[], input: string): Promise<QuickChild> {
  const bytes = Buffer.from(input);
  if (bytes.length > MAX_INPUT_BYTES) throw new Error(`input of ${bytes.length} bytes is too long`);
  const [readEnd, writeEnd] = pipe();
  const errFd = c.memfdCreate("tcpdrop-stderr", MFD_CLOEXEC);
  let spawned = false;
  try {
    // The input waits in the pipe; the write end closes, so the tool reads it and then EOF.
    const written = bytes.length > 0 ? Number(c.write(writeEnd, bytes, bytes.length)) : 0;
    c.close(writeEnd);
    if (written !== bytes.length) {
      throw new Error(`cannot write its input: ${errnoName(koffi.errno())}`);
    }
    const pid = await posixSpawn(file, args, [readEnd, "null", errFd >= 0 ? errFd : "null"]);
    spawned = true;
    const exited = waitExit(pid).then(({ code }) => ({ code, stderr: readAll(errFd) }));
    return { pid, exited, kill: () => void c.kill(pid, 9) };
  } finally {
    c.close(readEnd);
    if (!spawned && errFd >= 0) c.close(errFd);
  }
}

/** What the tool wrote to its stderr memfd (then closed). */
function readAll(fd: number): string {
  if (fd < 0) return "";
  const buf = Buffer.alloc(STDERR_BYTES);
  const n = Number(c.pread(fd, buf, STDERR_BYTES, 0));
  c.close(fd);
  return n > 0 ? buf.subarray(0, n).toString() : "";
}
