// Runs a real scenario with the real runner while src/wire/capture.ts captures in the lab's
// router, and keeps what the agents wrote (with their CLOCK_MONOTONIC stamps), the fault's
// time and the router namespace's own IP counters before and after. A stand-in for the
// runner's --pcap until it lands: it wraps Lab.build, it fakes nothing.
// It loads the built dist/ (npm run build): the agents it starts are dist/agent/main.js.
import type { SettingFlags } from "../../src/commands/settings.js";
import type { RunReport } from "../../src/types.js";
import type { CaptureResult } from "../../src/wire/capture.js";
import type { IpCounters } from "../../src/wire/snmp.js";

type Mod<T> = Promise<T>;
const dist = <T>(path: string): Mod<T> => import(`../../dist/${path}`) as Mod<T>;
const { nowMs } = await dist<typeof import("../../src/agent/emit.js")>("agent/emit.js");
const { parseSettings } =
  await dist<typeof import("../../src/commands/settings.js")>("commands/settings.js");
const { Lab } = await dist<typeof import("../../src/lab/lab.js")>("lab/lab.js");
const { runScenario } =
  await dist<typeof import("../../src/runner/run-scenario.js")>("runner/run-scenario.js");
const { loadScenario } =
  await dist<typeof import("../../src/scenario/load.js")>("scenario/load.js");
const { Capture } = await dist<typeof import("../../src/wire/capture.js")>("wire/capture.js");
const { readIpCounters } = await dist<typeof import("../../src/wire/snmp.js")>("wire/snmp.js");

export interface RawCall {
  t: number;
  side: string;
  conn: string;
  call: string;
  result: string;
  detail?: string;
}

export interface CapturedRun {
  report: RunReport;
  capture: CaptureResult;
  calls: RawCall[];
  faultAt: number;
  counters: { before: IpCounters; after: IpCounters };
  tcpdumpPid: number;
}

const FAULTS = ["crashServer", "unreachableServer", "crashClient", "partition"] as const;

export async function runCaptured(name: string, flags: SettingFlags = {}): Promise<CapturedRun> {
  const calls: RawCall[] = [];
  let capture: InstanceType<typeof Capture> | undefined;
  let faultAt: number | undefined;
  let before: IpCounters | undefined;
  let after: IpCounters | undefined;
  let result: CaptureResult | undefined;
  const build = Lab.build;
  Lab.build = async (options) => {
    const lab = await build.call(Lab, {
      ...options,
      onMessage: (host, msg) => {
        if (msg.type === "event") calls.push(msg as unknown as RawCall);
        options.onMessage(host, msg);
      },
    });
    const cap = await Capture.start({
      netns: lab.router.netns,
      ownAddresses: [lab.plan.routerClient, lab.plan.routerServer],
    });
    capture = cap;
    before = await readIpCounters(cap.pid);
    const hooks = lab as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    for (const fault of FAULTS) {
      const inject = hooks[fault].bind(lab);
      hooks[fault] = (...args) => {
        faultAt ??= nowMs();
        return inject(...args);
      };
    }
    const destroy = lab.destroy.bind(lab);
    lab.destroy = async () => {
      await destroy();
      // the router's namespace lives on while tcpdump is in it: read its counters, then stop
      await new Promise((r) => setTimeout(r, 100));
      after = await readIpCounters(cap.pid);
      result = await cap.stop();
    };
    return lab;
  };
  try {
    const report = await runScenario(loadScenario(name), parseSettings(flags));
    if (!capture || !result || !before || !after || faultAt === undefined)
      throw new Error("the capture or the fault did not happen");
    return {
      report,
      capture: result,
      calls,
      faultAt,
      counters: { before, after },
      tcpdumpPid: capture.capturePid,
    };
  } finally {
    Lab.build = build;
    capture?.kill();
  }
}
