// Remote mode's host faults: make this host silent to the test's own connections, both ways,
// without touching anything else. nftables rules in a table of tcpdrop's own
// (`inet tcpdrop_<run>`) drop the packets whose 4-tuple is one of the test's connections: the
// client's address and port as this host saw them (sets `peers4`/`peers6`) and the test port.
// The host then sends nothing at all, not even RST.
//
// The table is an "owner" table: it belongs to the netlink socket of one `nft -i` process this
// agent keeps for it, and the kernel deletes it the moment that process ends. So the rules go
// when the runner lifts them, when this agent exits (stdin closed, SIGHUP), when its timer
// fires, and when this agent is SIGKILLed (its `nft -i` then reads EOF and exits). The set
// elements also carry a timeout, so that rules that somehow outlived all of that match nothing.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";

const NFT_TIMEOUT_MS = 5000;

export class Firewall {
  private owner: ChildProcessWithoutNullStreams | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Try the rules without adding them: nft missing or not permitted is an error here. */
  check(table: string, port: number): void {
    const res = spawnSync("nft", ["--check", "-f", "-"], {
      input: commands(table, port, [], 1).join("\n"),
      encoding: "utf8",
      timeout: NFT_TIMEOUT_MS,
    });
    if (res.error) throw nftError(res.error);
    if (res.status !== 0) throw failure(res.stderr || `exit ${res.status}`);
  }

  /** Add the table and its rules; resolves once nft has listed them back (they hold). */
  async drop(table: string, port: number, peers: string[], ttlS: number): Promise<void> {
    await this.lift();
    const nft = spawn("nft", ["-i"], { stdio: ["pipe", "pipe", "pipe"] });
    this.owner = nft;
    nft.stdin.on("error", () => {});
    try {
      await session(nft, table, commands(table, port, peers.map(parsePeer), ttlS));
    } catch (err) {
      await this.lift();
      throw err;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.lift(), ttlS * 1000);
    this.timer.unref();
  }

  /** End the owner: the kernel deletes the table with every rule. Safe to call twice. */
  async lift(): Promise<void> {
    clearTimeout(this.timer);
    const nft = this.owner;
    this.owner = undefined;
    if (!nft || nft.exitCode !== null || nft.signalCode !== null) return;
    const gone = new Promise((resolve) => nft.once("exit", resolve));
    nft.kill("SIGKILL");
    await gone;
  }

  /** At exit, synchronously: the owner is killed and the kernel removes the table. */
  liftNow(): void {
    clearTimeout(this.timer);
    this.owner?.kill("SIGKILL");
    this.owner = undefined;
  }
}

/** The table (owned by the nft process that adds it), its sets and chains, and the peers. */
function commands(table: string, port: number, peers: [string, number][], ttlS: number) {
  const t = `inet ${table}`;
  const element = ([ip, p]: [string, number]) => `${ip} . ${p} timeout ${ttlS}s`;
  const v4 = peers.filter(([ip]) => !ip.includes(":"));
  const v6 = peers.filter(([ip]) => ip.includes(":"));
  const hook = (name: string) =>
    `add chain ${t} ${name} { type filter hook ${name === "in" ? "input" : "output"} priority -300; policy accept; }`;
  return [
    `add table ${t} { flags owner; }`,
    `add set ${t} peers4 { type ipv4_addr . inet_service; flags timeout; }`,
    `add set ${t} peers6 { type ipv6_addr . inet_service; flags timeout; }`,
    hook("in"),
    hook("out"),
    `add rule ${t} in tcp dport ${port} ip saddr . tcp sport @peers4 drop`,
    `add rule ${t} in tcp dport ${port} ip6 saddr . tcp sport @peers6 drop`,
    `add rule ${t} out tcp sport ${port} ip daddr . tcp dport @peers4 drop`,
    `add rule ${t} out tcp sport ${port} ip6 daddr . tcp dport @peers6 drop`,
    ...(v4.length ? [`add element ${t} peers4 { ${v4.map(element).join(", ")} }`] : []),
    ...(v6.length ? [`add element ${t} peers6 { ${v6.map(element).join(", ")} }`] : []),
  ];
}

/** Feed an interactive nft, then list the table: its listing back means every line took. */
function session(nft: ChildProcessWithoutNullStreams, table: string, lines: string[]) {
  return new Promise<void>((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error("nft did not answer")), NFT_TIMEOUT_MS);
    const settle = (error?: Error) => {
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    nft.on("error", (e) => settle(nftError(e)));
    nft.on("exit", () => settle(failure(err || "nft exited")));
    nft.stderr.on("data", (d) => {
      err += d;
      if (/Error/.test(err)) settle(failure(err));
    });
    nft.stdout.on("data", (d) => {
      out += d;
      if (out.includes(`table inet ${table} {`) && /\n}\s*$/.test(out)) settle();
    });
    nft.stdin.write(`${[...lines, `list table inet ${table}`].join("\n")}\n`);
  });
}

/** "198.51.100.2:51984" or "[2001:db8:1::2]:51984" -> address and port. */
function parsePeer(peer: string): [string, number] {
  const match = /^\[?([0-9a-fA-F.:]+?)\]?:(\d+)$/.exec(peer);
  if (!match) throw new Error(`not an address:port: ${peer}`);
  return [match[1], Number(match[2])];
}

function nftError(error: Error): Error {
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(
    code === "ENOENT"
      ? "nft is not installed: install nftables (Debian: apt-get install nftables)"
      : `nft failed: ${error.message}`,
  );
}

function failure(stderr: string): Error {
  const why = stderr.trim().split("\n")[0] ?? "";
  const denied = /Operation not permitted|permission denied/i.test(stderr);
  return new Error(denied ? `nft needs root or CAP_NET_ADMIN (${why})` : `nft failed: ${why}`);
}
