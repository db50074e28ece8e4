#!/usr/bin/env node
performance.mark("tcpdrop:launch"); // Node has reached tcpdrop (--timing shows when)
import("../dist/bundle/cli.js"); // the CLI bundled by esbuild (scripts/bundle.mjs)
