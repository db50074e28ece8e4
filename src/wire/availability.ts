// Why a run may have no packets where the lab cannot be captured.

/** Why a remote run has no packets: real hosts have no lab router to capture on. */
export const REMOTE_NO_CAPTURE =
  "remote mode: the hosts are real and there is no lab router to capture on";
