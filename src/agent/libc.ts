// Direct libc bindings through koffi: every socket call the agent makes is one real syscall,
// with the return value and errno a C program would see. Constants are Linux x86_64/aarch64.
import koffi from "./koffi.js";

const libc = koffi.load("libc.so.6");

export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_PACKET = 17;
export const AF_NETLINK = 16;
export const NETLINK_ROUTE = 0;
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOL_SOCKET = 1;
export const SO_REUSEADDR = 2;
export const SO_REUSEPORT = 15;
export const SO_ERROR = 4;
export const SO_KEEPALIVE = 9;
export const SO_LINGER = 13;
export const IPPROTO_IP = 0;
export const IPPROTO_IPV6 = 41;
export const IP_RECVERR = 11;
export const IPV6_RECVERR = 25;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 1;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_INFO = 11;
export const TCP_USER_TIMEOUT = 18;
export const MSG_OOB = 0x1;
export const MSG_DONTWAIT = 0x40;
export const MSG_NOSIGNAL = 0x4000;
export const SHUT_WR = 1;
export const EPOLLIN = 0x1;
export const EPOLLOUT = 0x4;
export const EPOLLERR = 0x8;
export const EPOLLHUP = 0x10;
export const EPOLLRDHUP = 0x2000;
export const EPOLLET = 0x80000000;
export const EPOLL_CTL_ADD = 1;
export const EPOLL_CTL_DEL = 2;
export const EPOLL_CTL_MOD = 3;
export const PR_SET_PDEATHSIG = 1;
export const EFD_NONBLOCK = 0o4000;
export const EFD_CLOEXEC = 0o2000000;
export const EPOLL_CLOEXEC = 0o2000000;
export const SIGHUP = 1;
export const SIGKILL = 9;
export const SIGPIPE = 13;
export const RLIMIT_NOFILE = 7;
export const CLONE_NEWNET = 0x40000000;

export const sys = {
  socket: libc.func("int socket(int domain, int type, int protocol)"),
  bind: libc.func("int bind(int fd, const void *addr, uint32_t len)"),
  listen: libc.func("int listen(int fd, int backlog)"),
  accept4: libc.func("int accept4(int fd, void *addr, void *len, int flags)"),
  connect: libc.func("int connect(int fd, const void *addr, uint32_t len)"),
  recv: libc.func("long recv(int fd, void *buf, size_t len, int flags)"),
  /** The capture's packet socket (src/wire/packet-socket.ts): the frame and where it passed. */
  recvfrom: libc.func(
    "long recvfrom(int fd, void *buf, size_t len, int flags, void *addr, void *addrlen)",
  ),
  /** A link's index in the calling thread's namespace (src/lab/rtnetlink.ts); 0: none. */
  if_nametoindex: libc.func("unsigned int if_nametoindex(const char *name)"),
  ioctl: libc.func("int ioctl(int fd, unsigned long request, void *arg)"),
  send: libc.func("long send(int fd, const void *buf, size_t len, int flags)"),
  shutdown: libc.func("int shutdown(int fd, int how)"),
  close: libc.func("int close(int fd)"),
  setsockopt: libc.func(
    "int setsockopt(int fd, int level, int name, const void *val, uint32_t len)",
  ),
  getsockopt: libc.func("int getsockopt(int fd, int level, int name, void *val, void *len)"),
  getsockname: libc.func("int getsockname(int fd, void *addr, void *len)"),
  epollCreate1: libc.func("int epoll_create1(int flags)"),
  epollCtl: libc.func("int epoll_ctl(int epfd, int op, int fd, void *event)"),
  epollWait: libc.func("int epoll_wait(int epfd, void *events, int maxevents, int timeout)"),
  prctl: libc.func(
    "int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)",
  ),
  getppid: libc.func("int getppid()"),
  eventfd: libc.func("int eventfd(unsigned int initval, int flags)"),
  getrlimit: libc.func("int getrlimit(int resource, void *rlim)"),
  setrlimit: libc.func("int setrlimit(int resource, const void *rlim)"),
  /** signal(sig, NULL) restores the default action (SIG_DFL is a null handler). */
  signal: libc.func("void *signal(int signum, void *handler)"),
  write: libc.func("long write(int fd, const void *buf, size_t count)"),
  /** Move the calling thread into another namespace (src/lab/netns.ts). */
  setns: libc.func("int setns(int fd, int nstype)"),
  /** Give the calling thread a namespace of its own (src/lab/netns.ts). */
  unshare: libc.func("int unshare(int flags)"),
  /** A raw system call, for those glibc wraps only lately (pidfd_open: glibc 2.36). */
  syscall: libc.func("long syscall(long number, ...)"),
};

/** pidfd_open(2)'s number: the same on every architecture since Linux 5.3. */
export const SYS_PIDFD_OPEN = 434;

const errnoNames = new Map<number, string>();
for (const [name, value] of Object.entries(koffi.os.errno)) {
  if (!errnoNames.has(value)) errnoNames.set(value, name);
}
errnoNames.set(11, "EAGAIN"); // EWOULDBLOCK has the same number; report the usual name

export const EAGAIN = 11;
export const EINPROGRESS = 115;

/** The errno of the last libc call on this thread. */
export function lastErrno(): number {
  return koffi.errno();
}

export function errnoName(code: number): string {
  return errnoNames.get(code) ?? `E${code}`;
}

export const familyOf = (ip: string) => (ip.includes(":") ? AF_INET6 : AF_INET);

/** Room for either address family (sizeof struct sockaddr_in6). */
export const SOCKADDR_SIZE = 28;

/** struct sockaddr_in (IPv4) or sockaddr_in6 (IPv6) for an address and port. */
export function sockaddr(ip: string, port: number): Buffer {
  if (familyOf(ip) === AF_INET) {
    const buf = Buffer.alloc(16);
    buf.writeUInt16LE(AF_INET, 0);
    buf.writeUInt16BE(port, 2);
    ip.split(".").forEach((octet, i) => {
      buf[4 + i] = Number(octet);
    });
    return buf;
  }
  const buf = Buffer.alloc(SOCKADDR_SIZE);
  buf.writeUInt16LE(AF_INET6, 0);
  buf.writeUInt16BE(port, 2);
  expandIpv6(ip).forEach((group, i) => {
    buf.writeUInt16BE(group, 8 + 2 * i);
  });
  return buf;
}

/** An address's bytes in network order (4 or 16), as sockaddr() holds them. */
export function addressBytes(ip: string): Buffer {
  const raw = sockaddr(ip, 0);
  return familyOf(ip) === AF_INET ? raw.subarray(4, 8) : raw.subarray(8, 24);
}

/** "2001:db8::2" -> its eight 16-bit groups. */
function expandIpv6(ip: string): number[] {
  const [head, tail = ""] = ip.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = ip.includes("::") ? Array(8 - left.length - right.length).fill("0") : [];
  return [...left, ...zeros, ...right].map((g) => Number.parseInt(g, 16));
}

/** "198.51.100.2:40312" or "[2001:db8:1::2]:40312", the way the reports name peers. */
export function parseSockaddr(buf: Buffer): string {
  if (buf.readUInt16LE(0) === AF_INET) {
    return `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}:${buf.readUInt16BE(2)}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => buf.readUInt16BE(8 + 2 * i).toString(16));
  const ip = groups
    .join(":")
    .replace(/(^|:)0(:0)+(:|$)/, "::")
    .replace(/:::+/, "::");
  return `[${ip}]:${buf.readUInt16BE(2)}`;
}

export function int32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeInt32LE(value, 0);
  return buf;
}
