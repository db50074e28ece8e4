// Output files (--junit, and any later file output) are checked before a lab is built, so that
// a typo in a path costs a usage error at once rather than the result of a long run.
import { closeSync, existsSync, openSync, statSync, unlinkSync } from "node:fs";
import { UsageError } from "./errors.js";

/**
 * Throws a one-line UsageError unless `path` can be written: an existing file is opened for
 * appending (not truncated); a new one is created and removed again, leaving nothing behind.
 */
export function checkWritableOutput(flag: string, path: string): void {
  const existed = existsSync(path);
  if (existed && statSync(path).isDirectory()) {
    throw new UsageError(`cannot write ${flag} ${path}: it is a directory; name a file`);
  }
  let fd: number;
  try {
    fd = openSync(path, existed ? "a" : "wx");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    const hint =
      code === "ENOENT"
        ? "its directory does not exist"
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? "no permission to write there"
          : "it cannot be opened for writing";
    throw new UsageError(`cannot write ${flag} ${path}: ${code} (${hint}); choose another path`);
  }
  closeSync(fd);
  if (!existed) unlinkSync(path);
}
