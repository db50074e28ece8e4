// Where a tool is on PATH, found once per name: a process started from inside a lab namespace
// (posix-spawn.ts) is given its full path, so that the child does not try each PATH entry in
// turn (an exec each) at every start.
import { accessSync, constants, statSync } from "node:fs";
import { delimiter } from "node:path";

const found = new Map<string, string>();

/** `file`'s full path (the first executable file of that name on PATH), or undefined. */
export function onPath(file: string): string | undefined {
  if (file.includes("/")) return file;
  const known = found.get(file);
  if (known) return known;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
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
