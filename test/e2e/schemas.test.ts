// Real reports, from runs in a real lab, meet the shipped JSON Schema of the report: plain runs,
// --detect, --connections, --repeat and compare (label), so each optional part is exercised.
import { describe, expect, it } from "vitest";
import { schemaErrors } from "../schema-validate.js";
import { isRoot, tcpdrop } from "./helpers.js";

async function reportOf(args: string[]): Promise<{ code: number | null; report: unknown }> {
  const res = await tcpdrop([...args, "--json"]);
  expect(res.code, res.stderr).not.toBe(2);
  return { code: res.code, report: JSON.parse(res.stdout) };
}

describe.skipIf(!isRoot)("real reports against schemas/report.schema.json", () => {
  it.each([
    [["run", "peer-close", "peer-abort"]],
    [["run", "host-crash", "--detect", "all", "--keepalive", "1,1,2", "--window", "4"]],
    [["run", "host-crash", "--connections", "20", "--keepalive", "1,1,2", "--window", "4"]],
    [["run", "crash-reboot", "--repeat", "2", "--window", "3"]],
    [["compare", "host-crash", "--keepalive", "1,1,2", "--user-timeout", "3000", "--window", "4"]],
  ])("tcpdrop %j", async (args) => {
    const { report } = await reportOf(args);
    expect(schemaErrors("report", report)).toBe("");
    expect((report as { runs: unknown[] }).runs.length).toBeGreaterThan(0);
  });
});
