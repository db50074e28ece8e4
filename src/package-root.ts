// Where tcpdrop's own files are. The code runs from three places: src/ (tests), dist/ (tsc's
// copy) and dist/bundle/ (esbuild's, which the CLI loads), each some levels below the package
// root. The root is the nearest directory above this module that holds package.json, so a path
// to a file of the package is the same from all three.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function packageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`tcpdrop's package.json is not above ${from}`);
  }
}

export const PACKAGE_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));

/** A file of the package, by its path from the package root ("dist/scenarios.json"). */
export const fromRoot = (...parts: string[]): string => join(PACKAGE_ROOT, ...parts);
