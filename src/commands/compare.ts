// tcpdrop compare <scenario> [settings...]: the same scenario once per setting, each in its
// own lab, several at a time, so keepalive, TCP_USER_TIMEOUT and tcp_retries2 choices can be
// read side by side with the kernel's predicted times.
import { UsageError } from "../errors.js";
import { checkPrivileges } from "../lab/privileges.js";
import { kernelRelease, PRE_FAULT_MS, scenarioSettings } from "../plan/index.js";
import { wireKeep } from "../reporters/registry.js";
import { buildReport } from "../runner/document.js";
import { type Job, type JobHooks, runJobs } from "../runner/jobs.js";
import { defaultParallel, MAX_PARALLEL } from "../runner/parallelism.js";
import { loadScenario, prepareScenarios, type Scenario } from "../scenario/load.js";
import type { Report, Settings } from "../types.js";
import { outputFiles, preflight, preflightPrograms } from "./preflight.js";
import { parseExpectations, withTiming } from "./run.js";
import {
  parseCount,
  parseEngine,
  parseKeepalive,
  parseSettings,
  type SettingFlags,
} from "./settings.js";

export interface CompareOptions
  extends Omit<SettingFlags, "keepalive" | "userTimeout" | "retries2" | "engine"> {
  engine?: string[];
  keepalive?: string[];
  userTimeout?: string[];
  retries2?: string[];
  setting?: string[];
  expect?: string[];
  parallel?: string;
  hooks?: JobHooks;
  /** --timing: each run's phases on stderr, in ms since the process started. */
  timing?: boolean;
  /** Checked for writing before any lab is built. */
  junit?: string;
}

export interface Variant {
  label: string;
  settings: Settings;
}

export async function compareCommand(
  name: string,
  opts: CompareOptions,
  version: string,
): Promise<{ report: Report; exitCode: number }> {
  const hooks = await withTiming(opts);
  const variants = parseVariants(opts);
  const extra = parseExpectations(opts.expect);
  const parallel = parseCount(
    "--parallel",
    opts.parallel,
    defaultParallel(variants.length),
    MAX_PARALLEL,
  );
  await prepareScenarios([name]);
  const scenario = loadScenario(name);
  const settings = sideBySide(scenario, variants);
  const jobs: Job[] = variants.map(({ label }, i) => ({
    scenario,
    settings: settings[i],
    label,
    keep: wireKeep(opts),
  }));
  await preflightPrograms(jobs);
  preflight(jobs, extra, { outputs: outputFiles(opts) });
  checkPrivileges();
  const runs = await runJobs(jobs, extra, parallel, hooks);
  return {
    report: buildReport(runs, kernelRelease(), version),
    exitCode: runs.every((r) => r.passed) ? 0 : 1,
  };
}

/**
 * Each variant's settings for the scenario. Side by side, every variant's connections live as
 * long before the fault: the longest default of theirs (a keepalive variant's 50 ms where the
 * others would need none), unless --pre-fault said.
 */
export function sideBySide(scenario: Scenario, variants: Variant[]): Settings[] {
  const resolved = variants.map(({ settings }) => scenarioSettings(scenario, settings));
  const preFaultMs = Math.max(...resolved.map((s) => s.preFaultMs ?? PRE_FAULT_MS));
  return resolved.map((s) => ({ ...s, preFaultMs }));
}

/**
 * One variant per repeated flag, in the order: --keepalive, --user-timeout, --retries2,
 * --setting; each once per --engine when several are given.
 */
export function parseVariants(opts: CompareOptions): Variant[] {
  const engines = (opts.engine ?? ["syscall"]).map(parseEngine);
  const variants = settingVariants(opts);
  if (engines.length === 1)
    return variants.map((v) => ({ ...v, settings: { ...v.settings, engine: engines[0] } }));
  return variants.flatMap((v) =>
    engines.map((engine) => ({
      label: `${v.label} · ${engine}`,
      settings: { ...v.settings, engine },
    })),
  );
}

function settingVariants(opts: CompareOptions): Variant[] {
  const base = parseSettings({
    window: opts.window,
    grace: opts.grace,
    ignoreSigterm: opts.ignoreSigterm,
    idleTimeout: opts.idleTimeout,
    requestAfter: opts.requestAfter,
    loose: opts.loose,
    packets: opts.packets,
    preFault: opts.preFault,
    followUpGap: opts.followUpGap,
  });
  const variants: Variant[] = [
    ...(opts.keepalive ?? []).map((v) => ({
      label: `keepalive ${v}`,
      settings: { ...base, keepalive: parseKeepalive(v) },
    })),
    ...(opts.userTimeout ?? []).map((v) => ({
      label: `user-timeout ${v}`,
      settings: { ...base, userTimeoutMs: parseSettings({ userTimeout: v }).userTimeoutMs },
    })),
    ...(opts.retries2 ?? []).map((v) => ({
      label: `retries2 ${v}`,
      settings: { ...base, retries2: parseSettings({ retries2: v }).retries2 },
    })),
    ...(opts.setting ?? []).map((v) => ({ label: v.trim(), settings: combined(v, base) })),
  ];
  if (variants.length === 0) {
    throw new UsageError(
      'compare needs at least one setting, e.g. --keepalive off --keepalive 1,1,2 --user-timeout 3000 or --setting "keepalive=1,1,2 user-timeout=3000"',
    );
  }
  return variants;
}

const SETTING_KEYS: Record<string, keyof SettingFlags> = {
  keepalive: "keepalive",
  "user-timeout": "userTimeout",
  retries2: "retries2",
};

/** --setting "keepalive=1,1,2 user-timeout=3000": several knobs in one variant. */
function combined(text: string, base: Settings): Settings {
  const flags: SettingFlags = { window: String(base.windowS), grace: String(base.graceMs / 1000) };
  for (const word of text.trim().split(/\s+/)) {
    const [key, value, ...rest] = word.split("=");
    const flag = SETTING_KEYS[key];
    if (!flag || value === undefined || value === "" || rest.length > 0) {
      throw new UsageError(
        `--setting "${text}": "${word}" is not KEY=VALUE with KEY one of ${Object.keys(SETTING_KEYS).join(", ")}`,
      );
    }
    (flags as Record<string, string>)[flag] = value;
  }
  const { ignoreSigterm, idleTimeoutS, requestAfterMs, loose, packets, preFaultMs, followUpGapMs } =
    base;
  return {
    ...parseSettings(flags),
    ignoreSigterm,
    idleTimeoutS,
    requestAfterMs,
    loose,
    packets,
    preFaultMs,
    followUpGapMs,
  };
}
