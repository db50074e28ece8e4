// The call sequence of a run: for each socket (a side of a watched connection), the calls it
// made and what each returned, in order; not the times, ports or byte counts. This is what
// must not change when the run's fixed phases (--pre-fault, --follow-up-gap) get shorter.
// Used by scripts/record-call-sequences.mjs, scripts/measure-phases.mjs and
// test/e2e/call-sequences.test.ts.
//
// Before a connection's first failure, a run of identical calls is one entry: how many times
// the writer sent "OK" before the fault, or in a 10 s window that nothing ends, is the send
// rhythm (200 ms) against the window, not the kernel's answer. From the first failure on,
// every call counts: the follow-up calls (send, send, recv) are a fixed number, and a change
// in any of them (a send that no longer meets the RST, a recv that meets EOF instead of data)
// is exactly what a too short gap would cause.
//
// Except reads that return data: TCP is a byte stream, so whether the server reads two sends
// 20 ms apart in two recv calls or in one is the reader's scheduling, not the kernel's answer
// (seen once in CI: half-close's server read both follow-up sends at once with six labs at once
// on the 2-core runner). A run of "recv OK" is one entry, in the
// reference too (`sameStream`).
//
// A traced connection's TCP_INFO notes ("trace": retransmission counters and the RTO, which
// moves with the RTT the kernel measures) are not calls, and are left out.

/** A read that returned data. */
const DATA_READ = "recv OK";

/**
 * One run's sequences: `{ "client idle": ["connect OK", "recv EOF", ...], ... }`, keyed by
 * side and connection id, the calls in the order they returned.
 * @param {{ connections: { id: string, firstFailure: { afterMs: number } | null,
 *   events: { tMs: number, side: string, conn: string, call: string, result: string }[] }[] }} run
 * @returns {Record<string, string[]>}
 */
export function callSequences(run) {
  /** @type {Record<string, string[]>} */
  const sequences = {};
  for (const c of run.connections) {
    const failedAt = c.firstFailure ? c.firstFailure.afterMs : Number.POSITIVE_INFINITY;
    const events = [...c.events].sort((a, b) => a.tMs - b.tMs);
    for (const e of events) {
      if (e.call === "trace") continue;
      const key = `${e.side} ${e.conn}`;
      const entry = `${e.call} ${e.result}`;
      const seq = sequences[key] ?? [];
      sequences[key] = seq;
      if (seq.at(-1) === entry && (e.tMs < failedAt || entry === DATA_READ)) continue;
      seq.push(entry);
    }
  }
  return Object.fromEntries(Object.entries(sequences).sort(([a], [b]) => a.localeCompare(b)));
}

/** A sequence as one line, for comparing and for reading in a fixture. */
export function sequenceLine(sequences) {
  return Object.entries(sequences)
    .map(([key, calls]) => `${key}: ${calls.join(", ")}`)
    .join(" | ");
}

/**
 * Each scenario's sequences over the runs of a report: `{ scenario: [line, ...] }`, every
 * distinct sequence line once, in the order first seen.
 * @param {{ runs: { scenario: string }[] }} report
 * @returns {Record<string, string[]>}
 */
export function sequencesByScenario(report) {
  /** @type {Record<string, string[]>} */
  const out = {};
  for (const run of report.runs) {
    const line = sequenceLine(callSequences(run));
    const seen = out[run.scenario] ?? [];
    out[run.scenario] = seen;
    if (!seen.includes(line)) seen.push(line);
  }
  return out;
}

/**
 * The runs whose sequence is not one of the reference's for their scenario.
 * @param {{ runs: { scenario: string, repetition?: number }[] }} report
 * @param {Record<string, string[]>} reference
 * @returns {{ scenario: string, repetition: number, got: string, expected: string[] }[]}
 */
export function differences(report, reference) {
  return report.runs.flatMap((run) => {
    const got = sequenceLine(callSequences(run));
    const expected = reference[run.scenario] ?? [];
    return expected.some((line) => sameStream(line) === got)
      ? []
      : [{ scenario: run.scenario, repetition: run.repetition ?? 1, got, expected }];
  });
}

/** A recorded sequence line with each run of data reads as one entry, as callSequences makes it. */
export function sameStream(line) {
  const repeated = new RegExp(`(${DATA_READ})(?:, ${DATA_READ})+`, "g");
  return line.replace(repeated, DATA_READ);
}
