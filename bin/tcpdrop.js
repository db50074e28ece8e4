#!/usr/bin/env node
performance.mark("tcpdrop:launch"); // Node has reached tcpdrop (--timing shows when)

import { fileURLToPath } from "node:url";
import { commandOf, launch } from "../dist/launch.js";

// The CLI bundled by esbuild (scripts/bundle.mjs), compiled with V8's code cache (src/launch.ts).
launch(fileURLToPath(new URL("../dist/bundle/cli.cjs", import.meta.url)), commandOf(process.argv));
