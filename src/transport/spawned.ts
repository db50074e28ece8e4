// A channel to an agent that is (or is reached through) a child process of this one: its
// stdin and stdout carry the protocol's lines, its stderr says why it died.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { AgentChannel, ChannelExit } from "./transport.js";

export function spawnChannel(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): AgentChannel {
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // A write to an agent that has just died must not crash the runner (EPIPE).
  child.stdin.on("error", () => {});
  const exited = new Promise<ChannelExit>((resolve) => {
    child.on("exit", (code, signal) => resolve({ code, signal }));
    child.on("error", () => resolve({ code: null, signal: null }));
  });
  const lines = createInterface({ input: child.stdout });
  return {
    pid: child.pid,
    exited,
    write(line) {
      if (child.stdin.writable) child.stdin.write(`${line}\n`);
    },
    onLine(listener) {
      lines.on("line", listener);
    },
    onError(listener) {
      child.on("error", listener);
    },
    lastError() {
      return stderr.trim().split("\n").pop() ?? "";
    },
    close() {
      child.stdin.end();
    },
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
