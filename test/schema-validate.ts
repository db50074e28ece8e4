// Validating documents against the shipped JSON Schemas (schemas/*.schema.json) with Ajv's
// draft 2020-12 validator, as an editor or a CI script reading tcpdrop's output would.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";

export const SCHEMA_DIR = join(import.meta.dirname, "..", "schemas");

const ajv = new Ajv2020({ allErrors: true, strict: false });

export function shippedSchema(name: "scenario" | "report"): Record<string, unknown> {
  return JSON.parse(readFileSync(join(SCHEMA_DIR, `${name}.schema.json`), "utf8"));
}

const validators = {
  scenario: ajv.compile(shippedSchema("scenario")),
  report: ajv.compile(shippedSchema("report")),
};

/** The schema's complaints about `doc` ("" when it is valid). */
export function schemaErrors(name: "scenario" | "report", doc: unknown): string {
  const validate = validators[name];
  if (validate(doc)) return "";
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
}
