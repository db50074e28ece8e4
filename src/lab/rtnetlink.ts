// The lab's links, addresses and routes, asked of the kernel in rtnetlink(7) messages from
// tcpdrop's own process. These are the requests that `ip link add NAME type veth peer name PEER
// netns NS`, `ip link set NAME up`, `ip addr add ADDR/LEN dev NAME [nodad]` and `ip route add
// NET/LEN via GW` send, one for one. Wiring a lab this way starts no process, where it took
// three `nsenter → ip -batch` pairs, two of them waited for in a row (BENCHMARKS.md, section 4,
// "Lab setup plus teardown"). iproute2 still does everything a fault does to the lab (exec.ts).
//
// Each request goes through a NETLINK_ROUTE socket made inside the host's namespace (a socket
// acts on the namespace it was made in: netns.ts), asks for an acknowledgement, and is
// answered before send(2) returns. A refusal becomes a SetupError that names the lab step, the
// request (as the ip command it stands for) and the errno.
import { closeSync, openSync } from "node:fs";
import {
  AF_NETLINK,
  addressBytes,
  errnoName,
  familyOf,
  lastErrno,
  MSG_DONTWAIT,
  NETLINK_ROUTE,
  SOCK_CLOEXEC,
  SOCK_RAW,
  sys,
} from "../agent/libc.js";
import { SetupError } from "../errors.js";
import { inNetns } from "./netns.js";

/** One change to a host's network, as data; `ip` names it in errors. */
export type NetStep =
  | { op: "veth"; name: string; peer: string; peerNetns: string }
  | { op: "up"; name: string }
  | { op: "address"; name: string; cidr: string; nodad: boolean }
  | { op: "route"; to: string; via: string };

const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_NEWROUTE = 24;
const NLMSG_ERROR = 2;
const NLM_F_REQUEST = 0x1;
const NLM_F_ACK = 0x4;
const NLM_F_EXCL = 0x200;
const NLM_F_CREATE = 0x400;
const NEW = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
const IFF_UP = 0x1;
const IFLA_IFNAME = 3;
const IFLA_LINKINFO = 18;
const IFLA_OPERSTATE = 16;
const IFLA_NET_NS_FD = 28;
const IF_OPER_UP = 6;
const IFLA_INFO_KIND = 1;
const IFLA_INFO_DATA = 2;
const VETH_INFO_PEER = 1;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_F_NODAD = 0x02;
const RTA_DST = 1;
const RTA_GATEWAY = 5;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3; // what `ip route add` marks its routes with
const RTN_UNICAST = 1;

/** Make `steps` inside the namespace at `netns`, in order; the first refusal stops them. */
export function applySteps(netns: string, steps: NetStep[], what: string): void {
  withRouteSocket(netns, what, (fd) => {
    steps.forEach((step, seq) => {
      request(fd, step, seq + 1, what);
    });
  });
}

/** A NETLINK_ROUTE socket made inside the namespace at `netns`, for `use`, then closed. */
function withRouteSocket<T>(netns: string, what: string, use: (fd: number) => T): T {
  return inNetns(netns, () => {
    const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
      throw new SetupError(`lab step "${what}": no netlink socket: ${errnoName(lastErrno())}`);
    try {
      return use(fd);
    } finally {
      sys.close(fd);
    }
  });
}

/**
 * Do these links carry traffic yet? Their operational state is UP once the kernel's link-watch
 * work has seen their carrier, and that same work starts their transmit queue (see
 * topology.ts's untilLinksUp).
 */
export function linksUp(netns: string, names: string[]): boolean {
  return withRouteSocket(netns, "check the links", (fd) =>
    names.every((name, seq) => operstate(fd, name, seq + 1) === IF_OPER_UP),
  );
}

/** RTM_GETLINK for one link by name: its IFLA_OPERSTATE (-1: no such link, or no answer). */
function operstate(fd: number, name: string, seq: number): number {
  const ask = message(RTM_GETLINK, NLM_F_REQUEST, seq, [
    ifinfomsg(0, 0),
    attr(IFLA_IFNAME, cString(name)),
  ]);
  if (sys.send(fd, ask, ask.length, 0) !== ask.length) return -1;
  const answer = Buffer.alloc(4096);
  const got = Number(sys.recv(fd, answer, answer.length, MSG_DONTWAIT));
  if (got < 32 || answer.readUInt16LE(4) !== RTM_NEWLINK) return -1;
  for (let at = 32; at + 4 <= got; ) {
    const length = answer.readUInt16LE(at);
    if (length < 4) break;
    if (answer.readUInt16LE(at + 2) === IFLA_OPERSTATE) return answer[at + 4];
    at += align(length);
  }
  return -1;
}

/** Send one step's message and read the kernel's acknowledgement. */
function request(fd: number, step: NetStep, seq: number, what: string): void {
  const refused = (why: string) =>
    new SetupError(`lab step "${what}" failed: ${asIp(step)}: ${why}`);
  const peerFd = step.op === "veth" ? openNetns(step.peerNetns, refused) : -1;
  try {
    const index = step.op === "address" ? sys.if_nametoindex(step.name) : 0;
    if (step.op === "address" && index === 0) throw refused(`no link ${step.name}`);
    const message = encode(step, seq, { peerNetnsFd: peerFd, index });
    if (sys.send(fd, message, message.length, 0) !== message.length)
      throw refused(errnoName(lastErrno()));
    const answer = Buffer.alloc(1024);
    const got = Number(sys.recv(fd, answer, answer.length, MSG_DONTWAIT));
    if (got < 20) throw refused(got < 0 ? errnoName(lastErrno()) : "no answer from the kernel");
    const error = answer.readInt32LE(16);
    if (answer.readUInt16LE(4) !== NLMSG_ERROR || answer.readUInt32LE(8) !== seq)
      throw refused("an answer to another request");
    if (error !== 0) throw refused(errnoName(-error));
  } finally {
    if (peerFd >= 0) closeSync(peerFd);
  }
}

function openNetns(path: string, refused: (why: string) => SetupError): number {
  try {
    return openSync(path, "r");
  } catch (err) {
    throw refused((err as NodeJS.ErrnoException).code ?? String(err));
  }
}

/** The ip command a step stands for, as errors name it. */
export function asIp(step: NetStep): string {
  switch (step.op) {
    case "veth":
      return `ip link add ${step.name} type veth peer name ${step.peer} netns ${step.peerNetns}`;
    case "up":
      return `ip link set ${step.name} up`;
    case "address":
      return `ip addr add ${step.cidr} dev ${step.name}${step.nodad ? " nodad" : ""}`;
    case "route":
      return `ip route add ${step.to} via ${step.via}`;
  }
}

/**
 * The rtnetlink message for one step (sequence number `seq`), given what the namespace says:
 * the descriptor of a veth peer's namespace, the index of the link an address goes on.
 */
function encode(step: NetStep, seq: number, found: { peerNetnsFd: number; index: number }): Buffer {
  switch (step.op) {
    case "veth": {
      const peer = concat([ifinfomsg(0, 0), attr(IFLA_IFNAME, cString(step.peer))]);
      const peerNs = attr(IFLA_NET_NS_FD, u32(found.peerNetnsFd));
      const info = concat([
        attr(IFLA_INFO_KIND, cString("veth")),
        attr(IFLA_INFO_DATA, attr(VETH_INFO_PEER, concat([peer, peerNs]))),
      ]);
      const body = [
        ifinfomsg(0, 0),
        attr(IFLA_IFNAME, cString(step.name)),
        attr(IFLA_LINKINFO, info),
      ];
      return message(RTM_NEWLINK, NEW, seq, body);
    }
    case "up": {
      const body = [ifinfomsg(IFF_UP, IFF_UP), attr(IFLA_IFNAME, cString(step.name))];
      return message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, body);
    }
    case "address": {
      const [ip, length] = cidr(step.cidr);
      const header = Buffer.alloc(8); // struct ifaddrmsg
      header[0] = familyOf(ip);
      header[1] = length;
      header[2] = step.nodad ? IFA_F_NODAD : 0;
      header.writeUInt32LE(found.index, 4);
      const bytes = addressBytes(ip);
      return message(RTM_NEWADDR, NEW, seq, [
        header,
        attr(IFA_LOCAL, bytes),
        attr(IFA_ADDRESS, bytes),
      ]);
    }
    case "route": {
      const [net, length] = cidr(step.to);
      const header = Buffer.alloc(12); // struct rtmsg
      header[0] = familyOf(net);
      header[1] = length;
      header[4] = RT_TABLE_MAIN;
      header[5] = RTPROT_BOOT;
      header[7] = RTN_UNICAST; // scope (byte 6) 0: universe
      const body = [
        header,
        attr(RTA_DST, addressBytes(net)),
        attr(RTA_GATEWAY, addressBytes(step.via)),
      ];
      return message(RTM_NEWROUTE, NEW, seq, body);
    }
  }
}

/** struct nlmsghdr and its payload. */
function message(type: number, flags: number, seq: number, body: Buffer[]): Buffer {
  const payload = concat(body);
  const header = Buffer.alloc(16);
  header.writeUInt32LE(16 + payload.length, 0);
  header.writeUInt16LE(type, 4);
  header.writeUInt16LE(flags, 6);
  header.writeUInt32LE(seq, 8); // pid 0: the kernel fills in the socket's own
  return Buffer.concat([header, payload]);
}

/** struct ifinfomsg for any link type, found by name (IFLA_IFNAME), not index. */
function ifinfomsg(flags: number, change: number): Buffer {
  const buf = Buffer.alloc(16);
  buf.writeUInt32LE(flags, 8);
  buf.writeUInt32LE(change, 12);
  return buf;
}

/** struct rtattr and its data, padded to 4 bytes. */
function attr(type: number, data: Buffer): Buffer {
  const buf = Buffer.alloc(4 + align(data.length));
  buf.writeUInt16LE(4 + data.length, 0);
  buf.writeUInt16LE(type, 2);
  data.copy(buf, 4);
  return buf;
}

const align = (length: number) => (length + 3) & ~3;
const concat = (parts: Buffer[]) => Buffer.concat(parts);
const cString = (text: string) => Buffer.from(`${text}\0`, "latin1");

function u32(value: number): Buffer {
  const buf = Buffer.alloc(4);
  buf.writeUInt32LE(value, 0);
  return buf;
}

/** "198.51.100.0/24" -> ["198.51.100.0", 24]. */
function cidr(text: string): [string, number] {
  const [ip, length] = text.split("/");
  return [ip, Number(length)];
}
