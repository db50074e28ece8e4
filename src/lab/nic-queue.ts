// A transmit queue on each end host's interface, as a real network card has, for runs with
// thousands of connections.
//
// A veth pair has no qdisc (noqueue): each packet goes straight to the receiving CPU's input
// backlog (net.core.netdev_max_backlog, 1000 by default and machine-wide, which the lab may not
// change), and when that is full the sender's TCP hears of it at once as local congestion. A
// TCP timer run sends everything that timer tick holds before the backlog is drained: ten
// thousand writers retransmitting after a crash fill it, and a keepalive probe that meets the
// full backlog is then neither counted nor sent; the keepalive timer retries it 500 ms later
// (TCP_RESOURCE_PROBE_INTERVAL), an artefact of veth that no network card produces. Behind a
// qdisc, as behind a card's queue, a packet handed to the interface counts as sent, and one
// that the backlog cannot take is lost further on, like a packet lost on the wire: the keepalive
// timer then runs as the kernel's parameters say, which is what the prediction models.
import { tcBatch } from "./exec.js";

/** Packets the queue holds; it is drained as it is filled, so this is only a ceiling. */
const QUEUE_PACKETS = 10_000;

export function addNicQueue(host: { netns: string; name: string }): Promise<void> {
  return tcBatch(
    host,
    [`qdisc add dev eth0 root pfifo limit ${QUEUE_PACKETS}`],
    `give the ${host.name}'s interface a transmit queue`,
  );
}
