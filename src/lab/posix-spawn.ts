// Starting a process with glibc's posix_spawn instead of a fork of Node. Node's child_process
// forks all of tcpdrop on the main thread: ~12 ms for a small tcpdrop and 20-40 ms once a batch
// of labs has grown it, during which no lab's socket call is made or stamped. posix_spawn uses
// clone(CLONE_VM | CLONE_VFORK): the child borrows tcpdrop's memory until it execs, so it costs
// the same at any size, and the call runs on a worker thread (koffi's async call): the caller
// of a vfork waits until the child has exec'd, a few ms on a loaded machine, and from the main
// thread that stalled every lab's calls (connect-refused's ECONNREFUSED stamped 0.2 s late in
// `run all`). The file is found on PATH here, once (on-path.ts), so that the child does not
// exec each PATH entry in turn.
//
// Until it execs, a child holds a copy of every descriptor tcpdrop has, other labs' sockets
// included: a socket a lab closes meanwhile stays open until then. spawnsSettled() resolves
// once every spawn under way has exec'd; a fault that needs a socket gone for good (a killed
// server's, before its restart binds the port again) waits for it. (The kernel releases a
// vfork parent inside exec, a few instructions before the child closes its close-on-exec
// descriptors: a window of microseconds that a preempted child can stretch.)
//
// As with Node's spawn, the child starts with every signal at its default action (Node ignores
// SIGPIPE) and none blocked. Its exit is polled with waitpid(WNOHANG): libuv reaps only its own
// children.
import { constants } from "node:os";
import koffi from "../agent/koffi.js";
import { errnoName, sys } from "../agent/libc.js";
import { sleep } from "../clock.js";
import { whereOnPath } from "./on-path.js";

export { errnoName };

const libc = koffi.load("libc.so.6");
export const c = {
  spawn: libc.func(
    "int posix_spawn(void *pid, const char *path, const void *actions, const void *attr, const char **argv, const char **envp)",
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
  write: sys.write,
  pread: libc.func("long pread(int fd, void *buf, size_t count, long offset)"),
  close: sys.close,
  waitpid: libc.func("int waitpid(int pid, void *status, int options)"),
  kill: libc.func("int kill(int pid, int sig)"),
  fcntl: libc.func("int fcntl(int fd, int cmd, int arg)"),
};

const O_RDWR = 2;
const F_DUPFD_CLOEXEC = 1030;
const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
/** Room for glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336), sigset_t (128). */
const OPAQUE_BYTES = 512;

/** tcpdrop's environment as NAME=value strings, made once (the CLI sets PATH before any lab). */
let env: string[] | undefined;

/** A second descriptor of the same open file (close-on-exec, numbered `lowest` or above), or -1. */
export function dupFd(fd: number, lowest = 0): number {
  return c.fcntl(fd, F_DUPFD_CLOEXEC, lowest);
}

/** A pipe, both ends close-on-exec: [read end, write end]. */
export function pipe(): [number, number] {
  const fds = Buffer.alloc(8);
  if (c.pipe2(fds, O_CLOEXEC) !== 0) throw new Error(`pipe2: ${errnoName(koffi.errno())}`);
  return [fds.readInt32LE(0), fds.readInt32LE(4)];
}

/** The spawns under way (until each child has exec'd or failed to). */
const underWay = new Set<Promise<unknown>>();

/** Resolves once every spawn under way now is done: no child of ours holds a copy of our descriptors. */
export async function spawnsSettled(): Promise<void> {
  await Promise.allSettled([...underWay]);
}

/**
 * Start `file` (searched on PATH) with `args`; `stdio[i]` becomes the child's fd i (a
 * descriptor of ours, or "null" for /dev/null). Resolves to its PID; rejects ("ENOENT"...) if
 * it cannot start.
 */
export async function posixSpawn(
  file: string,
  args: string[],
  stdio: (number | "null")[],
): Promise<number> {
  const actions = Buffer.alloc(OPAQUE_BYTES);
  const attr = Buffer.alloc(OPAQUE_BYTES);
  const all = Buffer.alloc(OPAQUE_BYTES);
  const none = Buffer.alloc(OPAQUE_BYTES);
  c.actionsInit(actions);
  c.attrInit(attr);
  try {
    stdio.forEach((fd, target) => {
      if (fd === "null") c.addOpen(actions, target, "/dev/null", O_RDWR, 0);
      else c.addDup2(actions, fd, target);
    });
    c.sigFillSet(all);
    c.sigEmptySet(none);
    c.attrSetFlags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    c.attrSetSigDefault(attr, all);
    c.attrSetSigMask(attr, none);
    env ??= Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
    const envp = [...env, null];
    const argv = [file, ...args, null];
    const pidBuf = Buffer.alloc(4);
    const path = whereOnPath(file);
    if (path === undefined) throw new Error("ENOENT");
    const spawning = new Promise<number>((resolve, reject) => {
      c.spawn.async(pidBuf, path, actions, attr, argv, envp, (e: unknown, r: number) =>
        e ? reject(e) : resolve(r),
      );
    });
    underWay.add(spawning);
    const err = await spawning.finally(() => underWay.delete(spawning));
    if (err !== 0) throw new Error(errnoName(err));
    return pidBuf.readInt32LE(0);
  } finally {
    c.actionsDestroy(actions);
    c.attrDestroy(attr);
  }
}

/** How a child ended: its exit code, or the signal that killed it (both null: not ours to wait for). */
export interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const SIGNAL_NAMES = new Map(
  Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]),
);

/**
 * Poll until the child has exited (every `pollMs` ms, or after each `pause()` resolves): how
 * it ended.
 */
export async function waitExit(
  pid: number,
  pollMs: number | (() => Promise<unknown>) = 1,
): Promise<Ended> {
  const status = Buffer.alloc(4);
  const pause = typeof pollMs === "number" ? () => sleep(pollMs) : pollMs;
  let got = c.waitpid(pid, status, WNOHANG);
  for (; got === 0; got = c.waitpid(pid, status, WNOHANG)) await pause();
  const raw = status.readInt32LE(0);
  if (got <= 0) return { code: null, signal: null };
  if ((raw & 0x7f) === 0) return { code: (raw >> 8) & 0xff, signal: null };
  return { code: null, signal: SIGNAL_NAMES.get(raw & 0x7f) ?? null };
}
