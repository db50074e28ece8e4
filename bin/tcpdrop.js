#!/usr/bin/env node
performance.mark("tcpdrop:launch"); // Node has reached tcpdrop (--timing shows when)
import("../dist/cli.js");
