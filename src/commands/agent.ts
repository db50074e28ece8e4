// tcpdrop agent: the same agent that runs in each lab host, as a public subcommand, for remote
// mode (`--client-via 'ssh user@host'` runs `ssh user@host tcpdrop agent` and speaks to it in
// JSON lines: docs/protocol.md). It is started before tcpdrop's own signal handlers and user
// namespace re-exec: on a real host it must run in that host's own network namespace.

const USAGE = `usage: tcpdrop agent --host NAME [--quiet] [--ignore-sigterm] [--sigpipe-default]

Reads protocol commands as JSON lines on stdin and writes events and replies as JSON lines on
stdout (docs/protocol.md). Exits, lifting any firewall rule it added, when stdin closes.
Started by tcpdrop itself (remote mode: --client-via / --server-via), not by hand.
`;

/** Run the agent in this process; resolves only if it printed its help. */
export async function agentCommand(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  await import("../agent/main.js");
  return new Promise<number>(() => {}); // the agent ends the process itself
}
