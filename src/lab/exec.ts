// Running `ip` (and `tc` from the same iproute2; for middleboxes, `nft` and `conntrack`) inside
// a lab host's network namespace. This is the only place tcpdrop runs a system tool; every
// command targets a namespace held by one of the run's own hosts.
import { spawn } from "node:child_process";
import { SetupError } from "../errors.js";
import { withTimeout } from "../timeout.js";

const STEP_TIMEOUT_MS = 5000;

/** Run `ip -batch -` with the given lines inside a lab host's network namespace. */
export function ipBatch(host: { netns: string }, lines: string[], what: string): Promise<void> {
  const args = [`--net=${host.netns}`, "--", "ip", "-batch", "-"];
  return run("nsenter", args, lines.join("\n"), what);
}

/** Run one tool with `input` on its stdin inside a lab host's network namespace. */
export function inNamespace(
  host: { netns: string },
  argv: string[],
  input: string,
  what: string,
): Promise<void> {
  return run("nsenter", [`--net=${host.netns}`, "--", ...argv], input, what);
}

/** Run `tc -batch -` with the given lines inside a lab host's network namespace. */
export function tcBatch(host: { netns: string }, lines: string[], what: string): Promise<void> {
  return inNamespace(host, ["tc", "-batch", "-"], `${lines.join("\n")}\n`, what);
}

function run(cmd: string, args: string[], input: string, what: string): Promise<void> {
  const child = spawn(cmd, args, { stdio: ["pipe", "ignore", "pipe"] });
  const done = new Promise<void>((resolve, reject) => {
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", (err) => {
      reject(new SetupError(`lab step "${what}": cannot run ${cmd}: ${err.message}`));
    });
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else
        reject(
          new SetupError(
            `lab step "${what}" failed: ${stderr.trim().split("\n")[0] || `exit ${code}`}`,
          ),
        );
    });
    // A tool that exits before reading its input (a namespace already gone) closes the pipe:
    // its exit status says what went wrong, so the EPIPE on the write is not an error here.
    child.stdin.on("error", () => {});
    child.stdin.end(`${input}\n`);
  });
  return withTimeout(done, STEP_TIMEOUT_MS, () => {
    child.kill("SIGKILL");
    return new SetupError(`lab step "${what}" hung for ${STEP_TIMEOUT_MS} ms and was killed`);
  });
}
