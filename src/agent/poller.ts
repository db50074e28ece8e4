// Readiness for many sockets through one epoll instance. epoll_wait runs on a koffi worker
// thread, so the main thread stays free for timers, stdin commands and signals; each wake-up
// hands the ready file descriptors back to the main thread, which makes the socket calls.
// stop() wakes the worker and, once it is back, closes the epoll instance: a poller in
// tcpdrop's own process (in-process agents) must leave nothing open and nothing running.
import {
  EFD_CLOEXEC,
  EFD_NONBLOCK,
  EPOLL_CLOEXEC,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLIN,
  errnoName,
  lastErrno,
  sys,
} from "./libc.js";

// struct epoll_event is packed on x86_64 (12 bytes) and naturally aligned elsewhere (16 bytes).
const EVENT_SIZE = process.arch === "x64" ? 12 : 16;
const DATA_OFFSET = process.arch === "x64" ? 4 : 8;
const MAX_EVENTS = 1024;

export type ReadyHandler = (fd: number, events: number) => void;

export class Poller {
  private readonly epfd: number;
  private readonly handlers = new Map<number, ReadyHandler>();
  private readonly eventsBuf = Buffer.alloc(EVENT_SIZE * MAX_EVENTS);
  private stopped = false;
  private running = false;
  private stopping: Promise<void> | undefined;
  /** An eventfd in the epoll set, written to wake the waiting worker thread at stop(). */
  private readonly wakeFd: number;
  private waitEnded: () => void = () => {};

  constructor() {
    this.epfd = sys.epollCreate1(EPOLL_CLOEXEC); // no tool tcpdrop starts inherits it
    if (this.epfd < 0) throw new Error(`epoll_create1 failed: ${errnoName(lastErrno())}`);
    this.wakeFd = sys.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    this.watch(this.wakeFd, EPOLLIN, () => {});
  }

  watch(fd: number, events: number, handler: ReadyHandler): void {
    if (this.stopping) throw new Error(`epoll: cannot watch fd ${fd}, the poller has stopped`);
    const op = this.handlers.has(fd) ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    this.handlers.set(fd, handler);
    if (sys.epollCtl(this.epfd, op, fd, eventStruct(events, fd)) < 0) {
      throw new Error(`epoll_ctl(fd ${fd}) failed: ${errnoName(lastErrno())}`);
    }
  }

  unwatch(fd: number): void {
    if (!this.handlers.delete(fd)) return;
    sys.epollCtl(this.epfd, EPOLL_CTL_DEL, fd, eventStruct(0, fd));
  }

  /** Start the wait loop; it keeps running until stop(). */
  start(): void {
    if (this.running || this.stopping) return;
    this.running = true;
    const wait = () => {
      if (this.stopped) {
        this.running = false;
        this.closeFds();
        this.waitEnded();
        return;
      }
      sys.epollWait.async(
        this.epfd,
        this.eventsBuf,
        MAX_EVENTS,
        1000,
        (err: unknown, n: number) => {
          if (err) throw err;
          for (let i = 0; i < n; i++) {
            const base = i * EVENT_SIZE;
            const events = this.eventsBuf.readUInt32LE(base);
            const fd = Number(this.eventsBuf.readBigUInt64LE(base + DATA_OFFSET));
            this.handlers.get(fd)?.(fd, events);
          }
          wait();
        },
      );
    };
    wait();
  }

  /**
   * End the wait loop and resolve once the worker thread is back: a process cannot exit while
   * a koffi call is still running on a worker, so the agent awaits this before exiting.
   */
  stop(): Promise<void> {
    this.stopping ??= this.running ? this.wakeAndWait() : Promise.resolve(this.closeFds());
    return this.stopping;
  }

  private wakeAndWait(): Promise<void> {
    this.stopped = true;
    const ended = new Promise<void>((resolve) => {
      this.waitEnded = resolve;
    });
    const one = Buffer.alloc(8);
    one.writeBigUInt64LE(1n);
    sys.write(this.wakeFd, one, 8);
    return ended;
  }

  private closeFds(): void {
    this.handlers.clear();
    sys.close(this.wakeFd);
    sys.close(this.epfd);
  }
}

function eventStruct(events: number, fd: number): Buffer {
  const buf = Buffer.alloc(EVENT_SIZE);
  buf.writeUInt32LE(events >>> 0, 0);
  buf.writeBigUInt64LE(BigInt(fd), DATA_OFFSET);
  return buf;
}
