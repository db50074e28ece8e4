// Running `ip` (and `tc` from the same iproute2; for middleboxes, `nft` and `conntrack`) inside
// a lab host's network namespace. This is the only place tcpdrop runs a system tool; every
// command targets a namespace held by one of the run's own hosts, joined with nsenter. The
// tools are started with posix_spawn (quick-spawn.ts), not by forking Node.
import { SetupError } from "../errors.js";
import { withTimeout } from "../timeout.js";
import { type QuickChild, quickSpawn } from "./quick-spawn.js";

const STEP_TIMEOUT_MS = 5000;

/** Run `ip -batch -` with the given lines inside a lab host's network namespace. */
export function ipBatch(host: { netns: string }, lines: string[], what: string): Promise<void> {
  return run(host.netns, ["ip", "-batch", "-"], lines.join("\n"), what);
}

/** Run one tool with `input` on its stdin inside a lab host's network namespace. */
export function inNamespace(
  host: { netns: string },
  argv: string[],
  input: string,
  what: string,
): Promise<void> {
  return run(host.netns, argv, input, what);
}

/** Run `tc -batch -` with the given lines inside a lab host's network namespace. */
export function tcBatch(host: { netns: string }, lines: string[], what: string): Promise<void> {
  return inNamespace(host, ["tc", "-batch", "-"], `${lines.join("\n")}\n`, what);
}

async function run(netns: string, argv: string[], input: string, what: string): Promise<void> {
  const [cmd, ...args] = argv;
  let child: QuickChild;
  try {
    child = await quickSpawn("nsenter", [`--net=${netns}`, "--", cmd, ...args], `${input}\n`);
  } catch (err) {
    throw new SetupError(
      `lab step "${what}": cannot run ${cmd} through nsenter: ${(err as Error).message}`,
    );
  }
  const done = child.exited.then(({ code, stderr }) => {
    if (code === 0) return;
    const why = stderr.trim().split("\n")[0] || (code === null ? "killed" : `exit ${code}`);
    throw new SetupError(`lab step "${what}" failed: ${why}`);
  });
  return withTimeout(done, STEP_TIMEOUT_MS, () => {
    child.kill();
    return new SetupError(`lab step "${what}" hung for ${STEP_TIMEOUT_MS} ms and was killed`);
  });
}
