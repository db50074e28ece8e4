// Where a run happens: the sealed lab (tcpdrop's own namespaces), or remote mode's real hosts
// (--client-via / --server-via). Both offer what the runner needs (agents, the server's
// address, the client's sysctls, crashes, teardown); the fault is injected with the lab's verbs
// or with its remote injection, and a fault without one is refused before anything starts.
import { UsageError } from "../errors.js";
import type { FaultContext, Injected, RemoteInjection } from "../faults/fault.js";
import { FAULTS, type Fault, faultNamed, injectLabFault } from "../faults/index.js";
import type { AddressPlan } from "../lab/addresses.js";
import type { Host } from "../lab/host.js";
import { Lab, type LabOptions } from "../lab/lab.js";
import { scenarioSettings } from "../plan/index.js";
import { type HostFacts, RemoteStage } from "../remote/stage.js";
import { loadBuiltIns, type Scenario } from "../scenario/load.js";
import type { RunReport, Settings } from "../types.js";

export type Stage = Lab | RemoteStage;

/** Remote mode: refuse, before anything starts, runs whose fault needs the lab. */
export function checkRemoteFaults(
  jobs: { scenario: Scenario; settings: Settings }[],
  base: Settings,
): void {
  const refused = jobs.filter((j) => !runsRemotely(j));
  if (refused.length === 0) return;
  const labOnly = [...new Set(refused.map((j) => j.scenario.name))];
  const runnable = loadBuiltIns()
    .filter((scenario) => runsRemotely({ scenario, settings: scenarioSettings(scenario, base) }))
    .map((s) => s.name);
  // A LabOnly fault says why; any other is one of the lab's own kinds.
  const whys = refused.map(({ scenario }) => {
    const remote = faultNamed(scenario.fault).remote;
    return remote?.needs === "lab"
      ? remote.why
      : "a router, links, namespaces, or the client host failing";
  });
  throw new UsageError(
    `remote mode cannot run ${labOnly.join(", ")}: it needs the lab (${[...new Set(whys)].join("; ")}); remote mode runs ${runnable.join(", ")}`,
  );
}

/** The fault has a remote injection, and the client is the observer (the server fails). */
function runsRemotely({ scenario, settings }: { scenario: Scenario; settings: Settings }) {
  return (
    remoteInjection(faultNamed(scenario.fault)) !== undefined && settings.observer !== "server"
  );
}

/** The fault's remote injection, if it has one (a LabOnly fault has none). */
function remoteInjection(fault: Fault): RemoteInjection | undefined {
  return fault.remote?.needs === "lab" ? undefined : fault.remote;
}

export async function buildStage(
  fault: Fault,
  settings: Settings,
  options: LabOptions,
): Promise<Stage> {
  const { remote } = settings;
  if (!remote) return Lab.build({ ...options, ...routerSetupOf(fault, settings) });
  const injection = remoteInjection(fault);
  if (!injection) {
    const why = fault.remote?.needs === "lab" ? fault.remote.why : "a router, links, namespaces";
    const remoteFaults = FAULTS.filter((f) => remoteInjection(f)).map((f) => f.name);
    throw new UsageError(
      `fault ${fault.name} needs the lab (${why}); remote mode runs these faults: ${remoteFaults.join(", ")}`,
    );
  }
  return RemoteStage.build({
    remote,
    serverFlags: options.serverFlags,
    onMessage: options.onMessage,
    windowS: settings.windowS,
    needsFirewall: injection.needs === "firewall",
  });
}

/** The fault's work on the router alone (Fault.prepareRouter), as the lab's boot runs it. */
export function routerSetupOf(fault: Fault, settings: Settings): Pick<LabOptions, "routerSetup"> {
  const prepareRouter = fault.prepareRouter?.bind(fault);
  if (!prepareRouter) return {};
  return {
    routerSetup: (router: Host, plan: AddressPlan) => prepareRouter(router, { settings, plan }),
  };
}

/** `foreignServer`: the server is the user's own (--server-cmd), so a fault may act from outside. */
export function injectFault(
  stage: Stage,
  fault: Fault,
  ctx: Omit<FaultContext, "lab">,
  foreignServer = false,
): Promise<Injected> {
  if (stage instanceof Lab) return injectLabFault(fault, { ...ctx, lab: stage }, foreignServer);
  const injection = remoteInjection(fault);
  if (!injection) throw new UsageError(`fault ${fault.name} needs the lab`);
  return injection.inject({ ...ctx, hosts: stage });
}

/** Set the stage for a fault that needs it (the lab's only: remote faults need no preparing). */
export async function prepareFault(
  stage: Stage,
  fault: Fault,
  ctx: Omit<FaultContext, "lab">,
): Promise<void> {
  if (stage instanceof Lab) await fault.prepare?.({ ...ctx, lab: stage });
}

/** Resolves once the lab server's current process has exited: it has no more to say. */
export function serverExited(stage: Stage): Promise<void> {
  return stage instanceof Lab ? stage.processExit("server") : new Promise(() => {});
}

/** Remote mode: the client host's kernel release, which the report names (else undefined). */
export function remoteKernel(runs: RunReport[]): string | undefined {
  const hosts = (runs[0]?.settings as { hosts?: { client?: HostFacts } } | undefined)?.hosts;
  return hosts?.client?.kernel;
}

/** The stage's facts for the report: the lab's router sysctls, or remote mode's hosts (their kernels; the client's HZ times the predictions). */
export function stageFacts(stage: Stage): {
  hz?: number;
  hosts?: { client?: HostFacts; server?: HostFacts };
  routerSysctls?: Record<string, string>;
} {
  if (stage instanceof Lab) return { routerSysctls: stage.routerSysctls };
  return { hz: stage.hz, hosts: stage.facts };
}
