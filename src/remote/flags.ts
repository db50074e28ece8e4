// Remote mode's flags on the command line (kept apart from program.ts so that adding them is
// one line there).
import type { Command } from "commander";

export function remoteFlags(cmd: Command): Command {
  return cmd
    .option(
      "--client-via <cmd>",
      "remote mode: run the client on another host through this command prefix, e.g. 'ssh user@host' or 'kubectl exec -i client --'",
    )
    .option(
      "--server-via <cmd>",
      "remote mode: run the server on another host through this command prefix",
    )
    .option("--server-addr <ip>", "remote mode: the server's address as the client dials it")
    .option("--port <port>", "remote mode: the test port (default 7000)")
    .option(
      "--remote-command <cmd>",
      "remote mode: the agent's command line on the other host (default 'tcpdrop agent')",
    );
}
