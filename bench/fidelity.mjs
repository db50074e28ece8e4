// 4. Timing fidelity: how late tcpdrop's reported detection time is against the kernel's own
// event. A host-crash run is driven here exactly as run-scenario does it (same Lab, same
// connect specs, same pre-fault pause, the same fault module), and after the fault the client
// agent's "snapshot" (TCP_INFO of every watched socket, stamped with the agent's
// CLOCK_MONOTONIC just before it reads them) is requested about every 1 ms until the watched
// socket leaves ESTABLISHED (tcp_done() sets TCP_CLOSE when a timer gives up with ETIMEDOUT).
//
// The kernel's state change then lies between the last snapshot that still read ESTABLISHED
// and the first that did not. tcpdrop's detection time is the agent's stamp of the recv that
// returned ETIMEDOUT; its overhead lies in [recv - first-not-established, recv - last-established].
import { labAgents } from "./lab-setup.mjs";
import { fromDist, memStatus, nowMs, sleep, stats } from "./lib.mjs";

const NOT_A_FAILURE = new Set(["OK", "EAGAIN", "EINPROGRESS"]);

/** The two runs, as command-line flags (parsed by tcpdrop's own parseSettings). */
export const CASES = [
  { label: "host-crash --keepalive 1,1,2", conn: "idle", flags: { keepalive: "1,1,2" } },
  { label: "host-crash --user-timeout 3000", conn: "writer", flags: { userTimeout: "3000" } },
];

export async function fidelity({ runs, pollMs = 1 }) {
  const mods = {
    ...(await fromDist("lab/lab.js")),
    ...(await fromDist("lab/addresses.js")),
    ...(await fromDist("faults/index.js")),
    ...(await fromDist("runner/collect.js")),
    ...(await fromDist("plan/index.js")),
    ...(await fromDist("runner/client-spec.js")),
    ...(await fromDist("defaults.js")),
    ...(await fromDist("commands/settings.js")),
    ...(await fromDist("failure.js").catch(() => ({}))),
    ...(await fromDist("scenario/load.js")),
  };
  // Only host-crash's own file is read, so another scenario file cannot get in the way.
  const scenario = mods.loadFile
    ? mods.loadFile(`${mods.SCENARIO_DIR}host-crash.yaml`)
    : mods.loadScenario("host-crash");
  const samples = CASES.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (const [i, c] of CASES.entries()) samples[i].push(await once(mods, scenario, c, pollMs));
  }
  return CASES.map((c, i) => summarize(c, samples[i]));
}

async function once(m, scenario, c, pollMs) {
  const raw = [];
  const done = new Set();
  const lab = await m.Lab.build({
    clientSysctls: {},
    serverFlags: [],
    onMessage: (_host, msg) => {
      if (msg.type === "event") raw.push(msg);
      else if (msg.type === "done") done.add(msg.conn);
    },
  });
  try {
    const settings = m.parseSettings({ ...c.flags, window: "10" });
    const ip = lab.serverIp ?? m.SERVER_IP;
    const port = lab.serverPort ?? m.SERVER_PORT;
    // The connections and their specs exactly as run-scenario builds them.
    const specs = m.watchedConnections
      ? m.watchedConnections(scenario, settings).map((w) => m.clientSpec(w, ip, port))
      : scenario.workloads.map((workload) => ({
          conn: workload,
          workload,
          ip,
          port,
          options: { keepalive: settings.keepalive, userTimeoutMs: settings.userTimeoutMs },
          sendIntervalMs: m.WRITER_INTERVAL_MS,
        }));
    const reply = await lab.client.request({ op: "connect", specs });
    if (reply.connected !== specs.length) throw new Error("the client could not connect");
    await sleep(m.PRE_FAULT_MS);
    // Peak RSS of each agent: the server's now, since it dies in the fault.
    const agentHwmKb = {};
    for (const agent of labAgents(lab)) agentHwmKb[agent.host] = memStatus(agent.pid)?.hwmKb;
    lab.mayDie.add("server");
    const fault = m.faultNamed(scenario.fault);
    const ctx = { lab, settings, params: scenario, measured: {}, note: () => {} };
    const { at: faultAt } = await fault.inject(ctx);

    let lastEstablished = null;
    let firstGone = null;
    const rtts = [];
    const deadline = faultAt + 10_000;
    while (nowMs() < deadline) {
      const sent = nowMs();
      const snap = await lab.client.request({ op: "snapshot" });
      rtts.push(nowMs() - sent);
      const info = snap.info[c.conn];
      if (info?.state === "ESTABLISHED") {
        lastEstablished = snap.t;
      } else {
        firstGone = { t: snap.t, state: info?.state ?? "socket gone" };
        break;
      }
      await sleep(pollMs);
    }
    // Let the connection report its failure and finish its follow-up calls.
    const until = nowMs() + 2000;
    while (!done.has(c.conn) && nowMs() < until) await sleep(5);
    // Peak RSS again after the run, of each agent still running (the client's; the server
    // died in the fault and keeps the reading taken before it). A gone or zombie process has
    // no VmHWM line.
    for (const agent of labAgents(lab)) {
      const hwmKb = memStatus(agent.pid)?.hwmKb;
      if (Number.isFinite(hwmKb)) agentHwmKb[agent.host] = hwmKb;
    }

    const ids = specs.map((spec) => spec.conn);
    const events = m.timelines(raw, faultAt, ids).get(c.conn) ?? [];
    const reported = m.firstFailure(events, 10_000);
    const failed = raw.find(
      (e) =>
        e.side === "client" &&
        e.conn === c.conn &&
        e.t >= faultAt &&
        (m.isFailure ? m.isFailure(e.call, e.result) : !NOT_A_FAILURE.has(e.result)),
    );
    if (!firstGone || lastEstablished === null || !failed || !reported) {
      throw new Error(`${c.label}: no state change or no failure seen within 10 s`);
    }
    return {
      reported: `${reported.call} ${reported.result}`,
      reportedMs: reported.afterMs,
      goneState: firstGone.state,
      kernelLoMs: lastEstablished - faultAt,
      kernelHiMs: firstGone.t - faultAt,
      overheadHiMs: failed.t - lastEstablished,
      overheadLoMs: failed.t - firstGone.t,
      bracketMs: firstGone.t - lastEstablished,
      polls: rtts.length,
      pollRttMs: stats(rtts).median,
      agentHwmKb,
    };
  } finally {
    await lab.destroy();
  }
}

function summarize(c, xs) {
  const pick = (k) => stats(xs.map((x) => x[k]));
  return {
    label: c.label,
    conn: c.conn,
    runs: xs.length,
    reported: [...new Set(xs.map((x) => x.reported))].join(", "),
    goneStates: [...new Set(xs.map((x) => x.goneState))].join(", "),
    reportedMs: pick("reportedMs"),
    kernelLoMs: pick("kernelLoMs"),
    kernelHiMs: pick("kernelHiMs"),
    overheadHiMs: pick("overheadHiMs"),
    overheadLoMs: pick("overheadLoMs"),
    overheadMidMs: stats(xs.map((x) => (x.overheadHiMs + x.overheadLoMs) / 2)),
    bracketMs: pick("bracketMs"),
    polls: pick("polls"),
    pollRttMs: pick("pollRttMs"),
    agentHwmKb: xs.map((x) => x.agentHwmKb),
    perRun: xs.map(({ agentHwmKb, ...x }) => x),
  };
}
