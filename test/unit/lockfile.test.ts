// The install a CI system does from a fresh clone: `npm ci` refuses a package-lock.json that is
// out of step with package.json (or lacks another platform's optional packages), and npm 11
// warns about every dependency whose install script package.json's allowScripts does not cover.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const scratch = mkdtempSync(join(tmpdir(), "tcpdrop-lock-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("package-lock.json", () => {
  it("is complete and in step with package.json (npm ci --dry-run accepts it)", () => {
    for (const f of ["package.json", "package-lock.json"])
      copyFileSync(join(root, f), join(scratch, f));
    const r = spawnSync("npm", ["ci", "--dry-run", "--ignore-scripts", "--no-audit", "--no-fund"], {
      cwd: scratch,
      encoding: "utf8",
    });
    expect(r.stderr + r.stdout).not.toMatch(/npm error/);
    expect(r.status).toBe(0);
  }, 60_000);

  it("every dependency's install script is reviewed in allowScripts", () => {
    const out = execFileSync("npm", ["install-scripts", "ls", "--json"], {
      cwd: root,
      encoding: "utf8",
    });
    expect((JSON.parse(out) as { allowScripts: unknown[] }).allowScripts).toEqual([]);
  }, 60_000);
});
