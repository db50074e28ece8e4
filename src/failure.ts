// What counts as a connection's first sign of failure, shared by the agent (which then starts
// its follow-up calls) and the report (which names the first failing call).

/** Results that are no failure: a call that worked, or a non-blocking "not now". */
const FINE = new Set(["OK", "EAGAIN", "EINPROGRESS"]);

export function isFailure(call: string, result: string): boolean {
  // tcp-info: any state but ESTABLISHED is the kernel saying the connection changed.
  if (call === "tcp_info") return result !== "ESTABLISHED";
  // trace: TCP_INFO notes on a workload that has its own calls to fail.
  if (call === "trace") return false;
  // heartbeat: a missed ping is a warning; only DEAD is the verdict.
  if (call === "heartbeat") return result === "DEAD";
  return !FINE.has(result);
}
