// Can this process build a lab? It needs root (rootless runs through a user namespace are not
// supported yet) and the iproute2 and util-linux tools.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { SetupError } from "../errors.js";

const TOOLS = [
  { name: "ip", pkg: "iproute2" },
  { name: "unshare", pkg: "util-linux" },
  { name: "nsenter", pkg: "util-linux" },
];

export function checkPrivileges(): void {
  if (process.getuid?.() !== 0) {
    throw new SetupError(
      "tcpdrop needs root to build its network-namespace lab: run it as root (e.g. with sudo)",
    );
  }
  for (const tool of TOOLS) {
    if (!onPath(tool.name))
      throw new SetupError(
        `"${tool.name}" is not on PATH: install ${tool.pkg} (e.g. apt-get install ${tool.pkg})`,
      );
  }
}

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]);
  return dirs.some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
