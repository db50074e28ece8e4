// A fixed diagram input for the renderer tests: crash-reboot in miniature, with text that
// needs escaping in every format.
import type { DiagramInput } from "../../src/reporters/diagram/types.js";

export const TRICKY = `a<b & "c" 'd' #1; %%x`;

export const FIXED: DiagramInput = {
  title: "crash-reboot <test>",
  subtitle: "server crashes & reboots",
  lanes: ["client", "router", "server"],
  packets: [
    {
      tMs: -5,
      from: "client",
      to: "server",
      flags: "ACK",
      kind: "data",
      label: "data 5 B",
      conn: "writer",
    },
    {
      tMs: -4.9,
      from: "server",
      to: "client",
      flags: "ACK",
      kind: "ack",
      label: "ACK",
      conn: "writer",
    },
    {
      tMs: 150,
      from: "client",
      to: "router",
      flags: "ACK",
      kind: "data",
      label: "data 5 B",
      conn: "writer",
      lost: true,
    },
    {
      tMs: 360,
      from: "client",
      to: "router",
      flags: "ACK",
      kind: "tail-loss-probe",
      label: "tail loss probe",
      conn: "writer",
      lost: true,
    },
    {
      tMs: 1806.6,
      from: "client",
      to: "server",
      flags: "ACK",
      kind: "retransmission",
      label: "retransmission #3",
      conn: "writer",
      detail: TRICKY,
    },
    {
      tMs: 1806.7,
      from: "server",
      to: "client",
      flags: "RST",
      kind: "rst",
      label: "RST",
      conn: "writer",
    },
    {
      tMs: 1900,
      from: "router",
      to: "client",
      flags: "ICMP",
      kind: "icmp-unreachable",
      label: "ICMP host unreachable",
    },
  ],
  calls: [
    { tMs: -4, lane: "client", conn: "writer", call: "send", result: "OK" },
    { tMs: 200, lane: "client", conn: "writer", call: "send", result: "OK" },
    { tMs: 400, lane: "client", conn: "writer", call: "send", result: "OK" },
    { tMs: 600, lane: "client", conn: "writer", call: "send", result: "OK" },
    {
      tMs: 1807.1,
      lane: "client",
      conn: "writer",
      call: "recv",
      result: "ECONNRESET",
      detail: TRICKY,
    },
  ],
  marks: [
    { tMs: 0, kind: "fault", text: "fault: server host crashes" },
    { tMs: 0, kind: "host-death", lane: "server", text: "server host dies" },
    { tMs: 1010, kind: "reboot", lane: "server", text: "server host is back" },
  ],
  spans: [{ fromMs: 150, toMs: 560, lane: "client", kind: "rto", text: "writer RTO #1 410 ms" }],
  predictions: [
    {
      lane: "client",
      conn: "writer",
      tMs: 1800,
      result: "ECONNRESET",
      measuredMs: 1807.1,
      basis: TRICKY,
    },
  ],
};
