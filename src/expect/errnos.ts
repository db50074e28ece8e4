// Result names the language accepts (OK, EOF and Linux errno names) and "did you mean" hints.
import { editDistance } from "../scenario/closest.js";

/** Linux errno names (asm-generic/errno-base.h and errno.h, with the usual aliases). */
export const ERRNO_NAMES: ReadonlySet<string> = new Set(
  (
    "EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EAGAIN EWOULDBLOCK ENOMEM " +
    "EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY " +
    "ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EDEADLK EDEADLOCK ENAMETOOLONG " +
    "ENOLCK ENOSYS ENOTEMPTY ELOOP ENOMSG EIDRM ECHRNG EL2NSYNC EL3HLT EL3RST ELNRNG EUNATCH " +
    "ENOCSI EL2HLT EBADE EBADR EXFULL ENOANO EBADRQC EBADSLT EBFONT ENOSTR ENODATA ETIME ENOSR " +
    "ENONET ENOPKG EREMOTE ENOLINK EADV ESRMNT ECOMM EPROTO EMULTIHOP EDOTDOT EBADMSG EOVERFLOW " +
    "ENOTUNIQ EBADFD EREMCHG ELIBACC ELIBBAD ELIBSCN ELIBMAX ELIBEXEC EILSEQ ERESTART ESTRPIPE " +
    "EUSERS ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT " +
    "ESOCKTNOSUPPORT EOPNOTSUPP ENOTSUP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL " +
    "ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN " +
    "ETOOMANYREFS ETIMEDOUT ECONNREFUSED EHOSTDOWN EHOSTUNREACH EALREADY EINPROGRESS ESTALE " +
    "EUCLEAN ENOTNAM ENAVAIL EISNAM EREMOTEIO EDQUOT ENOMEDIUM EMEDIUMTYPE ECANCELED ENOKEY " +
    "EKEYEXPIRED EKEYREVOKED EKEYREJECTED EOWNERDEAD ENOTRECOVERABLE ERFKILL EHWPOISON"
  ).split(" "),
);

/** Verdicts of the detection methods: heartbeat DEAD/MISS, tcp_info states. */
const METHOD_RESULTS: ReadonlySet<string> = new Set(
  "DEAD MISS ESTABLISHED SYN_SENT SYN_RECV FIN_WAIT1 FIN_WAIT2 TIME_WAIT CLOSE CLOSE_WAIT LAST_ACK CLOSING".split(
    " ",
  ),
);
/** In the order the agent reports them, so that any order written matches. */
const POLL_ORDER = ["POLLIN", "POLLRDHUP", "POLLHUP", "POLLERR"];
const POLL_BITS: ReadonlySet<string> = new Set(POLL_ORDER);

/** The canonical (upper-case) result for a word, or null when it is not one the tool reports. */
export function knownResult(word: string): string | null {
  const upper = word.toUpperCase();
  if (upper === "OK" || upper === "EOF" || ERRNO_NAMES.has(upper) || METHOD_RESULTS.has(upper)) {
    return upper;
  }
  const bits = upper.split("|");
  if (bits.every((bit) => POLL_BITS.has(bit)))
    return POLL_ORDER.filter((b) => bits.includes(b)).join("|");
  return null;
}

/** Results worth suggesting first when a word is close to several names. */
const COMMON = ["OK", "EOF", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ECONNREFUSED"];
export const RESULT_CANDIDATES: readonly string[] = [...COMMON, ...ERRNO_NAMES];

/** The closest candidate (case-insensitive) if it is near enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const limit = lower.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
