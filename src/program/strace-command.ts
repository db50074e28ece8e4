// The command line that runs a user's program traced, inside a lab host:
//
//   nsenter --net=HOST -- setpriv --pdeathsig KILL --
//     unshare --pid --fork --kill-child=SIGKILL --mount-proc --
//       strace FLAGS -o '|exec cat >&3' -- /bin/sh -c 'exec "$0" "$@" 3>&-' /bin/sh -c CMD
//
// - nsenter joins the host's network namespace (the lab's only way in) and execs;
// - setpriv makes the next program die with tcpdrop (PR_SET_PDEATHSIG), even on SIGKILL;
// - unshare gives the program a PID namespace of its own with strace as its init: when strace
//   dies (and --kill-child kills it when unshare dies) the kernel kills every process in it,
//   children and daemons included, so nothing the program started can outlive the run.
//   --mount-proc gives it a /proc of its own, which strace -yy needs to name sockets;
// - strace pipes its trace to `cat`, which writes it to fd 3, a socket to tcpdrop (strace's
//   -o cannot open a socket by /dev/fd path); the traced shell closes fd 3 and execs
//   `/bin/sh -c CMD` in its place, so the program never holds it and its first process keeps
//   one PID from start to exit;
// - no privileges are added or dropped: a rootless run stays the user (inside tcpdrop's user
//   namespace), a root run stays root.
import { TRACED_CALLS } from "./call-families.js";

/**
 * strace's flags, and why:
 * -f            every thread and child process;
 * -yy           each descriptor with what it is: a TCP socket's 4-tuple, or its inode before it
 *               has one;
 * -v -s 0       structures and arrays in full (poll's fds, epoll's events) but no payload bytes;
 * --seccomp-bpf only the traced calls stop the program (the others run at full speed);
 * --quiet=...   no "attached"/"resumed" chatter, but keep "+++ exited with N +++";
 * --absolute-timestamps=unix,ns   CLOCK_REALTIME at each call's entry, in ns;
 * --syscall-times=ns              how long each call took: it returned at entry + duration;
 * -e trace=...  see TRACED_CALLS.
 */
export const STRACE_FLAGS = [
  "-f",
  "-yy",
  "-v",
  "-s",
  "0",
  "--seccomp-bpf",
  "--quiet=attach,personality,thread-execve,superseded",
  "--absolute-timestamps=unix,ns",
  "--syscall-times=ns",
  `--trace=${TRACED_CALLS.join(",")}`,
];

/** "{server}" and "{port}" in the user's command -> the address and port. */
export function substitute(command: string, server: string, port: number): string {
  return command.replaceAll("{server}", server).replaceAll("{port}", String(port));
}

/** The argv (after "nsenter") that runs CMD traced in the namespace `netns`. */
export function tracedArgv(netns: string, command: string): string[] {
  return [
    `--net=${netns}`,
    "--",
    "setpriv",
    "--pdeathsig",
    "KILL",
    "--",
    "unshare",
    "--pid",
    "--fork",
    "--kill-child=SIGKILL",
    "--mount-proc",
    "--",
    "strace",
    ...STRACE_FLAGS,
    "-o",
    "|exec cat >&3",
    "--",
    // Close fd 3 and become `/bin/sh -c CMD` (same PID, so its exit is the program's).
    "/bin/sh",
    "-c",
    'exec "$0" "$@" 3>&-',
    "/bin/sh",
    "-c",
    command,
  ];
}
