// Running a short-lived tool (ip, tc, nft, conntrack, through nsenter) without forking Node.
// Node's child_process forks the whole process on the main thread: ~12 ms for a small tcpdrop
// and 20-40 ms once a batch of labs has grown it, during which no socket call of any lab is
// made or stamped (`run all` on 2 cores had 100-260 ms stalls while its labs were built, and a
// fast scenario's calls came that much late). glibc's posix_spawn uses clone(CLONE_VM |
// CLONE_VFORK): the child borrows tcpdrop's memory until it execs, so it starts as fast at any
// size. The tool's input is written to a pipe before it starts (a lab's batches are a few kB,
// well under a pipe's 64 kB), its stdout goes to /dev/null and its stderr to a memfd that is
// read once it has exited; the exit is polled with waitpid(WNOHANG) every ms (libuv reaps only
// its own children). As with Node's spawn, the child starts with every signal at its default
// action (Node ignores SIGPIPE) and none blocked.
import koffi from "koffi";
import { sleep } from "../clock.js";

const libc = koffi.load("libc.so.6");
const c = {
  spawnp: libc.func(
    "int posix_spawnp(void *pid, const char *file, const void *actions, const void *attr, const char **argv, const char **envp)",
  ),
  actionsInit: libc.func("int posix_spawn_file_actions_init(void *actions)"),
  actionsDestroy: libc.func("int posix_spawn_file_actions_destroy(void *actions)"),
  addDup2: libc.func("int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)"),
  addOpen: libc.func(
    "int posix_spawn_file_actions_addopen(void *actions, int fd, const char *path, int oflag, uint32_t mode)",
  ),
  attrInit: libc.func("int posix_spawnattr_init(void *attr)"),
  attrDestroy: libc.func("int posix_spawnattr_destroy(void *attr)"),
  attrSetFlags: libc.func("int posix_spawnattr_setflags(void *attr, short flags)"),
  attrSetSigDefault: libc.func("int posix_spawnattr_setsigdefault(void *attr, const void *set)"),
  attrSetSigMask: libc.func("int posix_spawnattr_setsigmask(void *attr, const void *set)"),
  sigFillSet: libc.func("int sigfillset(void *set)"),
  sigEmptySet: libc.func("int sigemptyset(void *set)"),
  pipe2: libc.func("int pipe2(void *fds, int flags)"),
  memfdCreate: libc.func("int memfd_create(const char *name, unsigned int flags)"),
  write: libc.func("long write(int fd, const void *buf, size_t count)"),
  pread: libc.func("long pread(int fd, void *buf, size_t count, long offset)"),
  close: libc.func("int close(int fd)"),
  waitpid: libc.func("int waitpid(int pid, void *status, int options)"),
  kill: libc.func("int kill(int pid, int sig)"),
};

const O_WRONLY = 1;
const O_CLOEXEC = 0o2000000;
const MFD_CLOEXEC = 1;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
/** Room for glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336), sigset_t (128). */
const OPAQUE_BYTES = 512;
/** The most of the tool's stderr kept (its first line is what an error says). */
const STDERR_BYTES = 4096;
/** Larger input would not fit a pipe's buffer before the tool reads it. */
export const MAX_INPUT_BYTES = 60_000;

/** tcpdrop's environment as NAME=value strings, made once (the CLI sets PATH before any lab). */
let env: string[] | undefined;

export interface QuickChild {
  readonly pid: number;
  /** Resolves with the exit code (null if a signal ended it) and what it wrote on stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/**
 * Start `file` (searched on PATH) with `args` and `input` on its stdin; rejects ("ENOENT"...) if
 * it cannot. posix_spawnp itself runs on a worker thread (koffi's async call): even a vfork
 * waits for the child's exec, a few ms in which the main thread would stamp nothing.
 */
export async function quickSpawn(file: string, args: string[], input: string): Promise<QuickChild> {
  const bytes = Buffer.from(input);
  if (bytes.length > MAX_INPUT_BYTES) throw new Error(`input of ${bytes.length} bytes is too long`);
  const fds = Buffer.alloc(8);
  if (c.pipe2(fds, O_CLOEXEC) !== 0) throw new Error(`pipe2: ${errnoName(koffi.errno())}`);
  const [readEnd, writeEnd] = [fds.readInt32LE(0), fds.readInt32LE(4)];
  const errFd = c.memfdCreate("tcpdrop-stderr", MFD_CLOEXEC);
  const actions = Buffer.alloc(OPAQUE_BYTES);
  const attr = Buffer.alloc(OPAQUE_BYTES);
  let spawned = false;
  try {
    // The input waits in the pipe; the write end closes, so the tool reads it and then EOF.
    const written = bytes.length > 0 ? Number(c.write(writeEnd, bytes, bytes.length)) : 0;
    c.close(writeEnd);
    if (written !== bytes.length) throw new Error(`cannot write its input: ${koffi.errno()}`);
    c.actionsInit(actions);
    c.addDup2(actions, readEnd, 0);
    c.addOpen(actions, 1, "/dev/null", O_WRONLY, 0);
    if (errFd >= 0) c.addDup2(actions, errFd, 2);
    const all = Buffer.alloc(OPAQUE_BYTES);
    const none = Buffer.alloc(OPAQUE_BYTES);
    c.sigFillSet(all);
    c.sigEmptySet(none);
    c.attrInit(attr);
    c.attrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    c.attrSetSigDefault(attr, all);
    c.attrSetSigMask(attr, none);
    env ??= Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
    const envp = env;
    const pidBuf = Buffer.alloc(4);
    const err = await new Promise<number>((resolve, reject) => {
      const argv = [file, ...args, null];
      c.spawnp.async(pidBuf, file, actions, attr, argv, [...envp, null], (e: unknown, r: number) =>
        e ? reject(e) : resolve(r),
      );
    });
    if (err !== 0) throw new Error(errnoName(err));
    spawned = true;
    const pid = pidBuf.readInt32LE(0);
    return { pid, exited: reap(pid, errFd), kill: () => void c.kill(pid, 9) };
  } finally {
    c.close(readEnd);
    if (!spawned && errFd >= 0) c.close(errFd);
    c.actionsDestroy(actions);
    c.attrDestroy(attr);
  }
}

function errnoName(code: number): string {
  return Object.entries(koffi.os.errno).find(([, v]) => v === code)?.[0] ?? `errno ${code}`;
}

/** Poll for the child's exit, then read its stderr from the memfd. */
async function reap(pid: number, errFd: number): Promise<{ code: number | null; stderr: string }> {
  const status = Buffer.alloc(4);
  let got = c.waitpid(pid, status, WNOHANG);
  for (; got === 0; got = c.waitpid(pid, status, WNOHANG)) await sleep(1);
  const raw = status.readInt32LE(0);
  const code = got > 0 && (raw & 0x7f) === 0 ? (raw >> 8) & 0xff : null;
  let stderr = "";
  if (errFd >= 0) {
    const buf = Buffer.alloc(STDERR_BYTES);
    const n = Number(c.pread(errFd, buf, STDERR_BYTES, 0));
    if (n > 0) stderr = buf.subarray(0, n).toString();
    c.close(errFd);
  }
  return { code, stderr };
}
