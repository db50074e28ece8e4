// Preloaded into the CLI with `node -r bench/hwm-hook.cjs bin/tcpdrop.js ...`: just before the
// process exits, append "PID VmHWM_kB" (its peak RSS) to the file named by BENCH_HWM_OUT.
// Nothing else changes; the agents the CLI starts do not load it.
const { appendFileSync, readFileSync } = require("node:fs");

process.on("exit", () => {
  const out = process.env.BENCH_HWM_OUT;
  if (!out) return;
  const status = readFileSync("/proc/self/status", "utf8");
  const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? "?";
  appendFileSync(out, `${process.pid} ${hwm}\n`);
});
