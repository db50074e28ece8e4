// Checks that need no lab and would otherwise fail only after a run: the names in the user's
// --expect against the connections each run will watch, and the output files. Run before any
// lab is built; each failure is a one-line usage error (exit 2).

import { SetupError, UsageError } from "../errors.js";
import type { Expectation } from "../expect/index.js";
import { formatExpectation, PROGRAM_IDS } from "../expect/index.js";
import { faultNamed } from "../faults/index.js";
import { descriptorsNeeded, type FileLimit, fileLimit } from "../lab/file-limit.js";
import { onPath, toolFix } from "../lab/privileges.js";
import { fits, MAX_AGENTS_PER_HOST, mostSockets } from "../lab/sharding.js";
import { checkWritableOutput } from "../output-path.js";
import { watchedConnections } from "../plan/index.js";
import { fileReporters, REPORTERS } from "../reporters/registry.js";
import type { Job } from "../runner/jobs.js";
import { socketsPerHost } from "../runner/lab-agents.js";
import { REMOTE_NO_CAPTURE } from "../wire/availability.js";

export interface PreflightOptions {
  /** Output files by flag: { "--junit": "out.xml" }; undefined ones are ignored. */
  outputs?: Record<string, string | undefined>;
  /** The agents' descriptor limit (read from this process when not given). */
  fileLimit?: FileLimit;
}

/** Every file a file reporter will write, by its flag: { "--junit": "out.xml" }. */
export function outputFiles(flags: object): Record<string, string> {
  const given = fileReporters(flags as Record<string, unknown>);
  return Object.fromEntries(given.map(({ flag, path }) => [flag, path]));
}

/** --client-cmd/--server-cmd: strace, and a scenario that suits a program (first, before preflight). */
export async function preflightPrograms(jobs: Job[]): Promise<void> {
  if (!jobs.some((job) => job.settings.programs)) return;
  const { checkProgramScenario } = await import("../runner/program-run.js");
  for (const job of jobs) checkProgramScenario(job.scenario, job.settings);
}

export function preflight(jobs: Job[], extra: Expectation[], opts: PreflightOptions = {}): void {
  for (const job of jobs) checkFaultTools(job);
  for (const job of jobs) checkExpectationNames(job, extra);
  for (const job of jobs) checkDescriptors(job, opts.fileLimit ?? fileLimit());
  for (const [flag, path] of Object.entries(opts.outputs ?? {})) {
    if (path === undefined) continue;
    checkFileKind(flag, path, jobs);
    checkWritableOutput(flag, path);
  }
}

/** The system tools a scenario's fault needs (nft, conntrack...), each named with its package. */
function checkFaultTools(job: Job): void {
  for (const tool of faultNamed(job.scenario.fault).tools ?? []) {
    if (!onPath(tool.name)) {
      throw new SetupError(
        `${job.scenario.name} needs "${tool.name}", which is not on PATH: ${toolFix(tool)}`,
      );
    }
  }
}

/** A file reporter's extension, and the packet capture it needs. */
function checkFileKind(flag: string, path: string, jobs: Job[]): void {
  const file = REPORTERS.find((r) => r.file?.option.split(" ")[0] === flag)?.file;
  const ext = /\.[^./]+$/.exec(path)?.[0]?.toLowerCase() ?? "";
  if (file?.extensions && !file.extensions.includes(ext)) {
    throw new UsageError(
      `${flag} ${path}: the format follows the file name's extension, one of ${file.extensions.join(", ")}`,
    );
  }
  if (!file?.needsPackets) return;
  if (jobs.some((j) => j.settings.remote)) {
    throw new UsageError(`${flag} needs the lab's packets, but ${REMOTE_NO_CAPTURE}`);
  }
  if (jobs.some((j) => j.settings.packets === "off")) {
    throw new UsageError(`${flag} needs the lab's packets: leave out --packets off`);
  }
}

/** The names a run's connections answer to: "idle", "writer" or the methods, and "idle-7" at scale. */
export function connectionNames(job: Job): {
  groups: string[];
  accepts: (name: string) => boolean;
} {
  const programs = job.settings.programs;
  if (programs?.client) {
    // A traced program's connections are named by 4-tuples only known after the run.
    const names = [
      programs.client !== null && "program",
      programs.server !== null && "server-program",
    ];
    const groups = names.filter((n): n is string => n !== false);
    return { groups, accepts: (name) => groups.includes(name) };
  }
  const groups = watchedConnections(job.scenario, { ...job.settings, connections: 1 }).map(
    (w) => w.group,
  );
  if (programs?.server) groups.push("server-program");
  const n = job.settings.connections ?? 1;
  const accepts = (name: string) => {
    if (groups.includes(name)) return true;
    const m = /^(.+)-(\d+)$/.exec(name);
    return n > 1 && m !== null && groups.includes(m[1]) && Number(m[2]) >= 1 && Number(m[2]) <= n;
  };
  return { groups, accepts };
}

/** A user's --expect that names no connection of the run would check nothing: refuse it. */
function checkExpectationNames(job: Job, extra: Expectation[]): void {
  const { groups, accepts } = connectionNames(job);
  const exitOf = extra.find(
    (e) => (e.kind === "exits" || e.kind === "exit-code") && !PROGRAM_IDS.includes(e.conn as never),
  );
  if (exitOf !== undefined)
    throw new UsageError(
      `--expect "${formatExpectation(exitOf)}": only a program exits; write program: (with --client-cmd) or server-program: (with --server-cmd)`,
    );
  const wrong = extra.find((e) => !accepts(e.conn));
  if (wrong === undefined) return;
  const detect = job.settings.detect?.length ? " (one per --detect method)" : "";
  throw new UsageError(
    `--expect "${formatExpectation(wrong)}": ${job.scenario.name} has no connection "${wrong.conn}"; its connections are ${groups.join(", ")}${detect}`,
  );
}

/**
 * Each end host holds one descriptor per connection of every group, spread over up to
 * MAX_AGENTS_PER_HOST agents: say before the lab is built when even that cannot hold them, how
 * many are needed and how to raise the limit.
 */
function checkDescriptors(job: Job, limit: FileLimit): void {
  if (fits(socketsPerHost(job.scenario, job.settings), limit.limit)) return;
  const n = job.settings.connections ?? 1;
  const groups = connectionNames(job).groups.length;
  const need = descriptorsNeeded(n, groups);
  const most = Math.max(1, Math.floor(mostSockets(limit.limit) / groups));
  throw new SetupError(
    `--connections ${n} with ${groups} connection groups needs about ${need} file descriptors on each end host, more than ${MAX_AGENTS_PER_HOST} lab agents can hold at a limit of ${limit.limit} each (the hard RLIMIT_NOFILE, ulimit -Hn; ${whyFixed(limit)}): raise the hard limit to ${need} before starting tcpdrop (nofile in /etc/security/limits.conf, LimitNOFILE= for a systemd unit, --ulimit nofile=${need} for a container), or use --connections ${most} or fewer`,
  );
}

function whyFixed(limit: FileLimit): string {
  if (process.getuid?.() !== 0) return "an ordinary user cannot raise it";
  if (limit.hard < limit.nrOpen && !limit.canRaise) {
    return "raising it needs CAP_SYS_RESOURCE in the machine's own user namespace, which this root lacks, as in a user namespace or a container";
  }
  return `fs.nr_open is ${limit.nrOpen}`;
}
