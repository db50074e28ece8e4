// End to end, as root: the capture keeps up with a user's programs moving bulk data. The lab's
// veths carry large segments (GSO, ~64 KiB each), and the capture socket's buffer is charged
// with each one's whole size while tcpdrop's event loop is busy elsewhere: 8 MiB holds ~128 of
// them, and this test then failed (frames dropped); a program run gets 64 MiB
// (runner/wire.ts, captureBufferKiB).
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isRoot, runJson } from "./helpers.js";

const has = (tool: string) =>
  (process.env.PATH ?? "").split(":").some((dir) => existsSync(`${dir}/${tool}`));
const hasTools = has("strace") && has("python3");
if (isRoot && !hasTools)
  console.warn(
    "program-capture: skipped, install strace and python3 (apt-get install strace python3)",
  );

/** Reads whatever comes, until the connection ends. */
const SINK = `python3 -c 'import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("{server}", {port}))
s.listen()
c, _ = s.accept()
while c.recv(1 << 20): pass'`;
/** Sends 300 MB as fast as the lab takes them, then waits for the fault. */
const SENDER = `python3 -c 'import socket, time
c = socket.create_connection(("{server}", {port}))
block = b"x" * (1 << 20)
for _ in range(300): c.sendall(block)
time.sleep(30)'`;

describe.skipIf(!isRoot || !hasTools)("the capture under a user's bulk transfer", () => {
  it("300 MB between two programs: every frame the router counted is captured, none dropped", async () => {
    const { code, report } = await runJson([
      "host-crash",
      "--server-cmd",
      SINK,
      "--client-cmd",
      SENDER,
      "--fault-after",
      "1.5",
      "--window",
      "1",
    ]);
    expect(code).not.toBe(2);
    const capture = report.runs[0].capture;
    expect(capture?.status).toBe("captured");
    expect(capture?.droppedByKernel).toBe(0);
    expect(capture?.capturedReceived).toBe(capture?.routerReceived);
    // the transfer went through the router: thousands of data segments
    expect(capture?.byKind?.data ?? 0).toBeGreaterThan(1000);
  });
});
