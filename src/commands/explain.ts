// tcpdrop explain <scenario>: what happens on the wire, which kernel parameters decide the
// timing and their values in a new lab namespace, and what each connection is predicted to
// see under the given flags. No lab is built; the predictions use what a run typically
// measures (see typicalFacts), and `run` prints the measured times next to the same model.
import { existsSync } from "node:fs";
import { middleboxTimes } from "../defaults.js";
import { faultNamed } from "../faults/index.js";
import {
  kernelHz,
  kernelParams,
  phases,
  predictConnection,
  scenarioSettings,
  typicalFacts,
  type Watched,
  WRITER_INTERVAL_MS,
  watchedConnections,
} from "../plan/index.js";
import { retries2TimeoutMs, timerDelayMs, undetectedHint } from "../predict/index.js";
import { sendRhythm } from "../runner/client-spec.js";
import { loadScenario, type Scenario } from "../scenario/load.js";
import type { Prediction, Settings } from "../types.js";
import { parseSettings, type SettingFlags } from "./settings.js";

/** The values every new network namespace starts with (the kernel's built-in defaults). */
export const NETNS_DEFAULTS: Record<string, string> = {
  "net.ipv4.tcp_retries2": "15",
  "net.ipv4.tcp_keepalive_time": "7200",
  "net.ipv4.tcp_keepalive_intvl": "75",
  "net.ipv4.tcp_keepalive_probes": "9",
  "net.ipv4.tcp_syn_retries": "6",
  // Linux 6.5+ (tcp_sk_init sets 4 in every namespace); absent before, which means 0.
  ...(existsSync("/proc/sys/net/ipv4/tcp_syn_linear_timeouts")
    ? { "net.ipv4.tcp_syn_linear_timeouts": "4" }
    : {}),
};

export interface ExplainOptions extends SettingFlags {
  json?: boolean;
}

export interface Explanation {
  scenario: string;
  summary: string;
  wire: string;
  parameters: { name: string; value: string; role: string }[];
  predictions: { connection: string; predicted: Prediction; hint: string | null }[];
  assumptions: string;
}

export function explain(name: string, opts: ExplainOptions): Explanation {
  const scenario = loadScenario(name);
  const settings = scenarioSettings(scenario, parseSettings(opts));
  const sysctls = { ...NETNS_DEFAULTS };
  if (settings.retries2 !== null) sysctls["net.ipv4.tcp_retries2"] = String(settings.retries2);
  const router: Record<string, string> =
    settings.icmpRatelimitMs != null
      ? { "net.ipv4.icmp_ratelimit": String(settings.icmpRatelimitMs) }
      : {};
  const kernel = kernelParams(sysctls, kernelHz().hz, router);
  const all = watchedConnections(scenario, settings);
  const fault = faultNamed(scenario.fault);
  const { preFaultMs } = phases(settings);
  const predictions = all.map((watched) => {
    const facts = typicalFacts(watched.workload, kernel.hz, preFaultMs, sendRhythm(watched));
    const predicted = predictConnection({
      fault,
      params: scenario,
      measured: {},
      watched,
      others: all,
      facts,
      kernel,
    });
    return {
      connection: watched.id,
      predicted,
      hint: predicted.hint ?? undetectedHint(predicted, watched.settings, settings.windowS),
    };
  });
  return {
    scenario: scenario.name,
    summary: scenario.summary,
    wire: scenario.wire.trim(),
    parameters: [
      ...parameters(settings, kernel.retries2),
      ...(fault.tools?.some((t) => t.name === "nft") ? middleboxParameters(settings) : []),
      ...(scenario.workloads.includes("pooled") ? [pooledParameter(settings)] : []),
    ],
    predictions,
    assumptions: assumptions(scenario, all, kernel.hz, phases(settings)),
  };
}

function parameters(settings: Settings, retries2: number) {
  const hz = kernelHz();
  const ka = settings.keepalive;
  return [
    {
      name: "SO_KEEPALIVE (TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT)",
      value: ka ? `${ka.idle} s, ${ka.interval} s, ${ka.count}` : "off",
      role: "an idle socket learns of a silent peer only through unanswered keepalive probes",
    },
    {
      name: "TCP_USER_TIMEOUT",
      value: settings.userTimeoutMs === null ? "off" : `${settings.userTimeoutMs} ms`,
      role: "caps how long data may stay unacknowledged (and overrides TCP_KEEPCNT)",
    },
    {
      name: "net.ipv4.tcp_retries2",
      value: String(retries2),
      role: `without a user timeout, retransmissions give up ${(retries2TimeoutMs(retries2) / 1000).toFixed(1)} s after the first one`,
    },
    {
      name: "net.ipv4.tcp_keepalive_time / intvl / probes",
      value: `${NETNS_DEFAULTS["net.ipv4.tcp_keepalive_time"]} / ${NETNS_DEFAULTS["net.ipv4.tcp_keepalive_intvl"]} / ${NETNS_DEFAULTS["net.ipv4.tcp_keepalive_probes"]}`,
      role: "keepalive defaults for sockets that enable SO_KEEPALIVE without setting the three options",
    },
    {
      name: "CONFIG_HZ",
      value: `${hz.hz}${hz.known ? "" : " (assumed)"}`,
      role: `timers are rounded by the timer wheel: a 1 s timer fires after ~${timerDelayMs(1000, hz.hz).toFixed(0)} ms`,
    },
  ];
}

/** The router's conntrack knobs, for the scenarios that make it a middlebox. */
function middleboxParameters(settings: Settings) {
  const { idleTimeoutS } = middleboxTimes(settings);
  return [
    {
      name: "router: net.netfilter.nf_conntrack_tcp_timeout_established",
      value: `${idleTimeoutS} s (--idle-timeout)`,
      role: "lb-idle-timeout, nat-idle-timeout: a flow idle this long is forgotten; any segment refreshes it",
    },
    {
      name: "router: net.netfilter.nf_conntrack_tcp_loose",
      value: settings.loose ? "1 (--loose on)" : "0",
      role: "0: a segment of a forgotten flow is INVALID (reset or dropped); 1: it is adopted mid-stream",
    },
  ];
}

function pooledParameter(settings: Settings) {
  const { requestAfterMs } = middleboxTimes(settings);
  return {
    name: "pooled request",
    value: `${requestAfterMs / 1000} s after the connect (--request-after)`,
    role: "the first segment of an idle pooled connection, unless a keepalive probe comes first",
  };
}

export function renderExplanation(e: Explanation): string {
  const lines = [`${e.scenario}: ${e.summary}`, "", "On the wire:"];
  lines.push(
    ...e.wire.split("\n").map((l) => `  ${l}`),
    "",
    "What decides the timing (values in a new lab namespace):",
  );
  for (const p of e.parameters) lines.push(`  ${p.name} = ${p.value}`, `      ${p.role}`);
  lines.push("", "Predicted:");
  const width = Math.max(...e.predictions.map((p) => p.connection.length));
  for (const { connection, predicted, hint } of e.predictions) {
    lines.push(`  ${connection.padEnd(width)}  ${describePrediction(predicted)}`);
    if (hint) lines.push(`  ${" ".repeat(width)}  hint: ${hint}`);
  }
  lines.push("", `(${e.assumptions})`);
  return `${lines.join("\n")}\n`;
}

function describePrediction(p: Prediction): string {
  if (p.result === null || p.afterMs === null) return `never: ${p.basis}`;
  const call = p.call ? `${p.call} ` : "";
  const at =
    p.afterMs >= 60_000 ? `${(p.afterMs / 1000).toFixed(1)} s` : `${p.afterMs.toFixed(0)} ms`;
  const doubt = p.uncertain ? ` (uncertain: ${p.uncertain})` : "";
  return `${call}${p.result} at ~${at} after the fault: ${p.basis}${doubt}`;
}

/** What explain takes a run to look like: when the connections are made, the writer's rhythm. */
function assumptions(
  scenario: Scenario,
  watched: Watched[],
  hz: number,
  { preFaultMs, followUpGapMs }: { preFaultMs: number; followUpGapMs: number },
): string {
  const when = scenario.connectAfterFault
    ? "the client connects just after the fault"
    : `connections set up ${preFaultMs} ms before the fault (--pre-fault)`;
  const writer = watched.some((w) => w.workload === "writer")
    ? `; the writer sends every ${WRITER_INTERVAL_MS} ms, so its first unacknowledged send is ` +
      `~${typicalFacts("writer", hz, preFaultMs).firstUnackedSendMs} ms after it`
    : "";
  return (
    `as in a run: ${when}${writer}; after a first failure, send, send and recv follow ` +
    `${followUpGapMs} ms apart (--follow-up-gap; sooner once the peer has answered: RST or ACK)`
  );
}
