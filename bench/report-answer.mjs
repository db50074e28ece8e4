// Section 1 of BENCHMARKS.md: `tcpdrop run peer-close --detect recv` next to packetdrill doing the
// same check (bench/answer.mjs's figures), with how packetdrill was found and built.
import { BESIDE_CHECKOUT } from "./packetdrill.mjs";
import { dataOf, fmt, opening, placeholder, statCells, table, verdict } from "./report-format.mjs";

export const ANSWER_HEADING =
  "## 1. A quick answer: `run peer-close --detect recv`, next to packetdrill";

export function answerText(r) {
  const head = opening(r, ANSWER_HEADING, ["answer"]);
  if (!head) return placeholder(r, ANSWER_HEADING, "answer");
  const a = dataOf(r, "answer");
  const t = a.tcpdrop;
  const pd = a.packetdrill;
  const shown = pd.ran ? pd : pd.recorded;
  const rows = [
    [`\`${a.command}\`: wall`, ...statCells(t.wall, 3)],
    ["  CPU, user + sys", ...statCells(t.cpu, 3)],
    ["  of which user", ...statCells(t.user, 3)],
    ["  of which sys", ...statCells(t.sys, 3)],
  ];
  const off = a.packetsOff;
  if (off) {
    rows.push(
      [`the same with \`--packets off\` (no capture): wall`, ...statCells(off.wall, 3)],
      ["  CPU, user + sys", ...statCells(off.cpu, 3)],
    );
  }
  if (shown) {
    const note = pd.ran ? "" : ` (recorded ${shown.date.slice(0, 10)}, not run here)`;
    rows.push(
      [`packetdrill bench/peer-close.pkt: wall${note}`, ...statCells(shown.wall, 3)],
      ["  CPU, user + sys", ...statCells(shown.cpu, 3)],
    );
  }
  return [
    head,
    "Both commands are timed as whole process trees (bench/tree-time.mjs), in alternating",
    "rounds after one discarded warm-up round each. tcpdrop builds its lab, connects, lets the",
    "server close, and checks that the client's recv reads EOF, a send after it is accepted and",
    "the next one fails with EPIPE. packetdrill runs bench/peer-close.pkt, the same check on one",
    "socket: the script plays the server on the wire (FIN; a RST answering the client's write),",
    "the client's read returns 0 and its second write fails with EPIPE. It runs in a network",
    "namespace of its own (`unshare --net`, counted in its time) with documentation addresses,",
    "and a 100 ms timing tolerance, the window tcpdrop's verdict allows. The same tcpdrop run",
    "without its packet capture (`--packets off`) runs in the same rounds: the difference is",
    "what the capture costs the whole process: reading and decoding its packets in tcpdrop's",
    "process, and the RCU grace period the kernel waits for when the packet socket closes (spent",
    "on a worker thread while the lab is torn down; tcpdrop exits once it is over).",
    "",
    table(["s", "n", "min", "median", "max"], rows),
    "",
    `Targets: wall <= ${a.target.wallS} s ${verdict(t.wall.median <= a.target.wallS)}, CPU <= ${a.target.cpuS} s ${verdict(t.cpu.median <= a.target.cpuS)}.` +
      (t.failed ? ` ${t.failed} of ${t.n} runs failed their check (exit 1).` : "") +
      (a.notes?.length ? ` Retried: ${a.notes.join("; ")}.` : ""),
    shown
      ? `packetdrill: ${fmt(shown.wall.median, 3)} s wall, ${fmt(shown.cpu.median, 3)} s CPU; tcpdrop takes ${fmt(t.wall.median / shown.wall.median, 1)}x its wall and ${fmt(t.cpu.median / shown.cpu.median, 1)}x its CPU.`
      : "",
    off
      ? `Without the capture: ${fmt(off.wall.median, 3)} s wall, ${fmt(off.cpu.median, 3)} s CPU; the capture costs ${fmt((t.wall.median - off.wall.median) * 1000, 0)} ms of wall and ${fmt((t.cpu.median - off.cpu.median) * 1000, 0)} ms of CPU (medians).`
      : "",
    "",
    packetdrillNote(pd, shown),
    "",
  ].join("\n");
}

function packetdrillNote(pd, shown) {
  const where = pd.ran
    ? `Run here: packetdrill found ${pd.how}${pd.version ? `, built from google/packetdrill ${pd.version}` : ""}.`
    : `packetdrill was **not run** in this bench (${pd.why}); ${shown ? `the figures above are the last recorded ones (bench/packetdrill-recorded.json, ${shown.date}, ${shown.machine?.nproc ?? "?"} CPUs)` : "no figure has been recorded"}.`;
  return [
    where,
    "packetdrill is not part of tcpdrop and nothing of it is committed. To build it (outside the",
    "checkout; it needs bison and flex) and have the bench run it:",
    "",
    "```sh",
    "apt-get install -y bison flex",
    "git clone https://github.com/google/packetdrill ../packetdrill-src",
    "(cd ../packetdrill-src/gtests/net/packetdrill && ./configure && make)",
    "sudo PACKETDRILL=$PWD/../packetdrill-src/gtests/net/packetdrill/packetdrill npm run bench -- --only answer",
    "```",
    "",
    `Without PACKETDRILL the bench looks for it at \`${BESIDE_CHECKOUT}\` (beside the checkout),`,
    "then on PATH; a run that finds it records its figures in bench/packetdrill-recorded.json.",
    "Where packetdrill's time goes (strace of one run): about 30 ms configuring its tun device",
    "(`ip` through `system()`), then about 100 ms spinning on times(2) until 10 clock ticks have",
    "passed, by design, to start the script on a jiffy's edge (run.c, schedule_start_time_usecs;",
    "that spin is CPU time too), about 15 ms for the script itself and the rest closing the tun",
    "device. It is a floor for the check, not for a lab of three hosts.",
  ].join("\n");
}
