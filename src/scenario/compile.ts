// `npm run build` runs this after tsc: check every built-in scenario file once and write the
// compiled catalogue (dist/scenarios.json) that runs read instead of the YAML. A bad file fails
// the build with one line naming it.
import { relative } from "node:path";
import { UsageError } from "../errors.js";
import { CATALOGUE_FILE, compileCatalogue, writeCatalogue } from "./catalogue.js";

try {
  const { catalogue, scenarios } = await compileCatalogue();
  writeCatalogue(catalogue);
  process.stdout.write(
    `compiled ${scenarios.length} built-in scenarios into ${relative(process.cwd(), CATALOGUE_FILE)}\n`,
  );
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  process.stderr.write(`tcpdrop: ${err.message}\n`);
  process.exitCode = 2;
}
