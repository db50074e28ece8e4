import { defineConfig } from "vitest/config";

// One file at a time: the end-to-end tests measure kernel timings in real labs, and a
// 2-core machine running several labs at once would blur them. The JSON results feed
// .ci/run's plain "N passed, N failed" line.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});
