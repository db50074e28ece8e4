// Where a tool is on PATH (and /usr/sbin, /sbin, where Debian puts ip, nft and conntrack even
// when a user's PATH leaves them out), found once per name. The checks before a run ask
// whether a tool is there; posix-spawn.ts starts a tool by its full path, so that the child
// does not try each PATH entry in turn (an exec each) at every start.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter } from "node:path";

const found = new Map<string, string>();

/** `file`'s full path (the first executable file of that name on PATH), or undefined. */
export function whereOnPath(file: string): string | undefined {
  if (file.includes("/")) return file;
  const known = found.get(file);
  if (known) return known;
  const dirs = (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"]);
  for (const dir of dirs) {
    if (!dir) continue;
    const path = `${dir}/${file}`;
    try {
      accessSync(path, constants.X_OK);
      if (!statSync(path).isFile()) continue;
    } catch {
      continue;
    }
    found.set(file, path);
    return path;
  }
  return undefined;
}

/** Whether `file` is an executable on PATH. */
export function onPath(file: string): boolean {
  return whereOnPath(file) !== undefined;
}
