// Whether this process can capture the lab's packets, and if not, the one line that says why.
// Debian's tcpdump, started as root, always changes to an unprivileged user (tcpdump, or the
// one -Z names) and sets its groups; in the user namespace of a rootless run (unshare
// --map-root-user) only uid 0 exists and setgroups() is denied, so it cannot start there.
import { onPath } from "../lab/privileges.js";
import { USERNS_ENV } from "../lab/userns.js";

export const TCPDUMP = { name: "tcpdump", pkg: "tcpdump" };

/** null when a capture can start here; else why not, in one line. */
export function captureBlocker(): string | null {
  if (!onPath("tcpdump")) {
    return "tcpdump is not installed (apt-get install tcpdump)";
  }
  if (process.env[USERNS_ENV]) {
    return "a rootless run cannot capture: tcpdump needs setgroups(), which a user namespace denies; run as root to see packets";
  }
  return null;
}

/** Why a remote run has no packets: real hosts have no lab router to capture on. */
export const REMOTE_NO_CAPTURE =
  "remote mode: the hosts are real and there is no lab router to capture on";
