// tcpdrop schema <scenario|report>: the JSON Schema of what users write (scenario files) and of
// what CI reads (the JSON report), generated from the zod definitions the tool itself checks
// with. The same documents are shipped in schemas/ (editors find scenario.schema.json through
// each scenario file's `# yaml-language-server: $schema=...` line).
import * as z from "zod/mini";
import { UsageError } from "../errors.js";
import { reportSchema } from "../reporters/report-schema.js";
import { scenarioSchema } from "../scenario/schema.js";

export const SCHEMA_NAMES = ["scenario", "report"] as const;
export type SchemaName = (typeof SCHEMA_NAMES)[number];

const TITLES: Record<SchemaName, string> = {
  scenario: "tcpdrop scenario file",
  report: "tcpdrop JSON report, schema version 1",
};

/** The JSON Schema (draft 2020-12) of scenario files (as written: defaults optional) or reports. */
export function jsonSchema(name: SchemaName): Record<string, unknown> {
  const generated =
    name === "scenario"
      ? z.toJSONSchema(scenarioSchema, { io: "input" })
      : z.toJSONSchema(reportSchema, { io: "output" });
  const { $schema, ...rest } = generated as Record<string, unknown>;
  return {
    $schema,
    $id: `https://tcpdrop.invalid/schemas/${name}.schema.json`,
    title: TITLES[name],
    ...rest,
  };
}

/** What `tcpdrop schema NAME` prints: the schema, pretty-printed, and a final newline. */
export function schemaCommand(name: string): string {
  if (!(SCHEMA_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(
      `unknown schema "${name}": choose one of ${SCHEMA_NAMES.join(", ")} (tcpdrop schema scenario)`,
    );
  }
  return `${JSON.stringify(jsonSchema(name as SchemaName), null, 2)}\n`;
}
