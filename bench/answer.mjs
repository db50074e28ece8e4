// Issue 15's headline target: `tcpdrop run peer-close --detect recv` answers in about a quarter of
// a second (wall <= 0.26 s, CPU <= 0.15 s for the whole process tree), timed next to packetdrill
// doing the same check (bench/peer-close.pkt: EOF on read after the peer's FIN, EPIPE on the
// write after the RST). Both are timed the same way (bench/tree-time.mjs), in alternating rounds.
// Without packetdrill the last recorded figures are returned instead, marked as not run.
import { interleave, machine, ROOT, stats } from "./lib.mjs";
import {
  findPacketdrill,
  packetdrillCommand,
  packetdrillVersion,
  readRecorded,
  writeRecorded,
} from "./packetdrill.mjs";
import { failureLine, timeTree } from "./tree-time.mjs";

export const ANSWER_ARGS = ["run", "peer-close", "--detect", "recv"];
export const ANSWER_TARGET = { wallS: 0.26, cpuS: 0.15 };

const summarize = (runs) => ({
  n: runs.length,
  wall: stats(runs.map((r) => r.wallS)),
  cpu: stats(runs.map((r) => r.cpuS)),
  user: stats(runs.map((r) => r.userS)),
  sys: stats(runs.map((r) => r.sysS)),
});

/** One timed run: exit 1 (the check did not hold) is kept and counted; a setup error (exit 2,
 * e.g. agents that did not start on a loaded machine) is retried twice, then fails the section. */
async function tcpdropOnce(notes, extra = []) {
  const args = [...ANSWER_ARGS, ...extra];
  for (let attempt = 1; ; attempt++) {
    const r = await timeTree(process.execPath, [`${ROOT}bin/tcpdrop.js`, ...args]);
    if (r.code === 0 || r.code === 1) return r;
    const why = `tcpdrop ${args.join(" ")} exited ${r.code}: ${failureLine(r.stderr)}`;
    if (attempt >= 3) throw new Error(why);
    notes.push(`${why} (retried)`);
  }
}

async function packetdrillOnce(bin) {
  const [cmd, args] = packetdrillCommand(bin);
  const r = await timeTree(cmd, args);
  if (r.code !== 0) {
    const why = failureLine(`${r.stderr}\n${r.stdout}`);
    throw new Error(`packetdrill bench/peer-close.pkt failed (exit ${r.code}): ${why}`);
  }
  return r;
}

export async function quickAnswer({ rounds, warmup }) {
  const found = findPacketdrill();
  const notes = [];
  // The same run without its packet capture, in the same rounds: what the capture costs the
  // whole process (its socket's reads, and the grace period its close waits for, which the
  // process waits for).
  const fns = [
    () => tcpdropOnce(notes),
    () => tcpdropOnce(notes, ["--packets", "off"]),
    ...(found.path ? [() => packetdrillOnce(found.path)] : []),
  ];
  const [ours, uncaptured, theirs] = await interleave(rounds, warmup, fns);
  const tcpdrop = { ...summarize(ours), failed: ours.filter((r) => r.code !== 0).length };
  const packetsOff = summarize(uncaptured);
  let packetdrill;
  if (theirs) {
    packetdrill = {
      ran: true,
      how: found.how,
      version: packetdrillVersion(found.path),
      date: new Date().toISOString(),
      machine: { nproc: machine().nproc, kernel: machine().kernel },
      ...summarize(theirs),
    };
    // Recorded for machines without packetdrill; a smoke run's few rounds are not a figure.
    if (rounds >= 7)
      writeRecorded({ ...packetdrill, ran: undefined, recordedBy: "bench/answer.mjs" });
  } else {
    packetdrill = { ran: false, why: found.missing, recorded: readRecorded() };
  }
  return {
    command: `tcpdrop ${ANSWER_ARGS.join(" ")}`,
    target: ANSWER_TARGET,
    tcpdrop,
    packetsOff,
    packetdrill,
  };
}
