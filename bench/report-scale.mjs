// Section 8 of BENCHMARKS.md: 10,000 connections a workload (bench/scale.mjs's figures); also
// printed by `node bench/scale.mjs` on its own.
import { dataOf, fmt, mib, opening, placeholder, table } from "./report-format.mjs";

export const SCALE_HEADING = "## 8. 10,000 connections";

export function scaleText(r) {
  const head = r.measured ? opening(r, SCALE_HEADING, ["scale"]) : `${SCALE_HEADING}\n`;
  if (!head) return placeholder(r, SCALE_HEADING, "scale");
  const x = r.measured ? dataOf(r, "scale") : r.scale;
  const attempts = (x.attempts ?? []).flatMap((a) => [`- \`${a.command}\`: exit 2, ${a.message}`]);
  if (!Number.isFinite(x.connections)) {
    return [
      head,
      ...attempts,
      `- \`${x.command}\`: exit ${x.exitCode}, ${x.stderr?.trim()}`,
      "",
    ].join("\n");
  }
  const range = (v, unit = " ms") =>
    v ? `${fmt(v.min)} / ${fmt(v.median)} / ${fmt(v.max)}${unit}` : "";
  const runs = x.each ?? [x];
  return [
    head,
    "The default two workloads (idle and writer), keepalive 1,1,2. The idle connections detect the",
    "crash through keepalive; the writers cannot (data in flight stops keepalive probes).",
    ...(attempts.length ? ["", "Runs that did not get past setup here:", "", ...attempts] : []),
    "",
    `Measured: \`${x.command}\`, ${runs.length} run(s) (\`node bench/scale.mjs --runs N\` runs this section alone).`,
    "",
    table(
      ["", "first run", "min / median / max over the runs", "target"],
      [
        [
          "set up (first to last connect)",
          `${fmt(x.setupMs)} ms`,
          range(x.summary?.setupMs),
          "<= 5 s",
        ],
        [
          "idle connections that detected the crash",
          `${x.detected} of ${x.connections}`,
          runs.map((y) => y.detected).join(", "),
          "all",
        ],
        [
          "idle: median / p99 detection after the fault",
          `${fmt(x.medianMs)} / ${fmt(x.p99Ms)} ms`,
          "",
          "",
        ],
        [
          "idle: p99 of abs(measured - predicted), each against its own prediction",
          `${fmt(x.p99AbsErrorMs)} ms`,
          range(x.summary?.p99AbsErrorMs),
          "<= 100 ms",
        ],
        ...(x.writer
          ? [
              [
                "writers",
                `${x.writer.detected} of ${x.writer.count} detect (${x.writer.outcome})`,
                "",
                "",
              ],
            ]
          : []),
        ...(Number.isFinite(x.cliPeakKb)
          ? [
              [
                "CLI, peak RSS",
                mib(x.cliPeakKb),
                runs.map((y) => mib(y.cliPeakKb)).join(", "),
                "<= 150 MB",
              ],
            ]
          : []),
        ...Object.entries(x.agentPeakKb).map(([role, kb]) => [
          `${role} agents (${x.agentsPerHost?.[role] ?? "?"}), largest peak RSS`,
          mib(kb),
          runs.map((y) => mib(y.agentPeakKb[role])).join(", "),
          "<= 150 MB",
        ]),
        [
          "runs that passed (exit 0)",
          x.exitCode === 0 ? "yes" : `exit ${x.exitCode}`,
          `${runs.filter((y) => y.exitCode === 0).length} of ${runs.length}`,
          "",
        ],
        [
          "load average before each run",
          x.load?.before ?? "",
          runs.map((y) => y.load?.before).join("; "),
          "",
        ],
        ...(Number.isFinite(x.backlogDropped)
          ? [
              [
                "packets dropped on a full CPU input backlog (softnet_stat, whole machine)",
                x.backlogDropped,
                runs.map((y) => y.backlogDropped).join(", "),
                "",
              ],
            ]
          : []),
      ],
    ),
    "",
    "How the run fits and stays on time (src/lab/agent-group.ts, nic-queue.ts, runner/lab-agents.ts):",
    "",
    "- Descriptors: 20,000 sockets a host do not fit one agent under a hard RLIMIT_NOFILE of",
    "  20,000 that root without CAP_SYS_RESOURCE cannot raise; each host runs two agents (the",
    "  server's share the test port with SO_REUSEPORT), the connections dealt out in turn.",
    "- Setup: with the default net.ipv4.ip_local_port_range, 20,000 sockets to one address and",
    "  port exhaust the even ports connect() tries first, and each later connect() scanned",
    "  thousands of taken ports (about 4 s of system time per agent; 6-12 s of setup). The",
    "  client's namespace gets 1024-65535. The writers hold their sends until their agent's",
    "  connections are open, each keeping its own rhythm.",
    "- p99 error: a veth without a qdisc hands each packet straight to the CPU's input backlog",
    "  (net.core.netdev_max_backlog, machine-wide); the writers' retransmissions after the crash",
    "  fill it in one timer tick, and a keepalive probe that met it full failed locally and was",
    "  retried 500 ms later (TCP_RESOURCE_PROBE_INTERVAL): p99 +530 ms. Each end host's",
    "  interface now has a transmit queue (pfifo), as a network card has: a probe handed to it",
    "  counts as sent, and one the backlog drops is lost like a packet on the wire, which does",
    "  not change when keepalive gives up. The backlog still overflows (the drops above), but",
    "  no probe is retried late.",
    "",
    ...(x.verdicts?.length
      ? ["Verdicts (first run):", "", ...x.verdicts.map((v) => `- ${v}`), ""]
      : []),
  ].join("\n");
}
