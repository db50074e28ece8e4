// Remote mode's host faults: make this host silent to the test's own connections, both ways,
// without touching anything else. nftables rules in a table of tcpdrop's own
// (`inet tcpdrop_<run>`) drop the packets whose 4-tuple is one of the test's connections: the
// client's address and port as this host saw them (sets `peers4`/`peers6`) and the test port.
// The host then sends nothing at all, not even RST. Three things remove the rules: lift()
// (the runner, at the end of the fault or the run), this agent's exit (its stdin closed: the
// runner or the transport is gone) and a timer armed here; and the set elements carry their own
// timeout, so the rules match nothing even if this agent is SIGKILLed.
import { spawnSync } from "node:child_process";

const NFT_TIMEOUT_MS = 5000;

export class Firewall {
  private table: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Try the rules without adding them: nft missing or not permitted is an error here. */
  check(table: string, port: number): void {
    nft(["--check", "-f", "-"], rules(table, port));
  }

  drop(table: string, port: number, peers: string[], ttlS: number): void {
    if (this.table && this.table !== table) this.lift();
    const v4 = peers.filter((p) => !p.startsWith("[")).map(parsePeer);
    const v6 = peers.filter((p) => p.startsWith("[")).map(parsePeer);
    const element = ([ip, p]: [string, number]) => `${ip} . ${p} timeout ${ttlS}s`;
    const script = [
      rules(table, port),
      ...(v4.length ? [`add element inet ${table} peers4 { ${v4.map(element).join(", ")} }`] : []),
      ...(v6.length ? [`add element inet ${table} peers6 { ${v6.map(element).join(", ")} }`] : []),
    ].join("\n");
    nft(["-f", "-"], script);
    this.table = table;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.lift(), ttlS * 1000);
    this.timer.unref();
  }

  /** Delete the table (and with it every rule and set element); safe to call twice. */
  lift(): void {
    clearTimeout(this.timer);
    if (!this.table) return;
    const table = this.table;
    this.table = undefined;
    try {
      nft(["delete", "table", "inet", table]);
    } catch {
      // already gone (expired, or lifted by another agent of the run)
    }
  }
}

/** The table: sets of the test's peers, and chains that drop their packets both ways. */
function rules(table: string, port: number): string {
  return [
    `table inet ${table} {`,
    "  set peers4 { type ipv4_addr . inet_service; flags timeout; }",
    "  set peers6 { type ipv6_addr . inet_service; flags timeout; }",
    "  chain in {",
    "    type filter hook input priority -300; policy accept;",
    `    tcp dport ${port} ip saddr . tcp sport @peers4 drop`,
    `    tcp dport ${port} ip6 saddr . tcp sport @peers6 drop`,
    "  }",
    "  chain out {",
    "    type filter hook output priority -300; policy accept;",
    `    tcp sport ${port} ip daddr . tcp dport @peers4 drop`,
    `    tcp sport ${port} ip6 daddr . tcp dport @peers6 drop`,
    "  }",
    "}",
  ].join("\n");
}

/** "198.51.100.2:51984" or "[2001:db8:1::2]:51984" -> address and port. */
function parsePeer(peer: string): [string, number] {
  const match = /^\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(peer);
  if (!match) throw new Error(`not an address:port: ${peer}`);
  return [match[1], Number(match[2])];
}

function nft(args: string[], input?: string): void {
  const res = spawnSync("nft", args, { input, encoding: "utf8", timeout: NFT_TIMEOUT_MS });
  if (res.error) {
    const code = (res.error as NodeJS.ErrnoException).code;
    throw new Error(
      code === "ENOENT"
        ? "nft is not installed: install nftables (Debian: apt-get install nftables)"
        : `nft failed: ${res.error.message}`,
    );
  }
  if (res.status !== 0) {
    const why = res.stderr.trim().split("\n")[0] ?? `exit ${res.status}`;
    const denied = /Operation not permitted|permission denied/i.test(res.stderr);
    throw new Error(denied ? `nft needs root or CAP_NET_ADMIN (${why})` : `nft failed: ${why}`);
  }
}
