import { defineConfig } from "vitest/config";

// #20: files that start processes (the generator, Prism, the CLIs, tsx) run apart from
// the rest, each in its own module graph; the rest share one per worker, so the local
// PolyAI compiles the spec's checks once per worker instead of once per file.
const PROCESSES = [
  "test/campaign-process.test.ts",
  "test/new-operation.test.ts",
  "test/pipeline.test.ts",
  "test/prism.test.ts",
  "test/soak.test.ts",
  "test/spec-diff.test.ts",
  "test/spec-upstream.test.ts",
  "test/telephony-cli-process.test.ts",
];

export default defineConfig({
  test: {
    // Hang guards, far above any test's normal time (#20): a limit is never the
    // thing a test checks. Tests that take seconds set a longer one of their own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "in-process",
          include: ["test/**/*.test.ts", "examples/**/*.test.ts"],
          exclude: PROCESSES,
          // Every file closes what it opens and restores what it stubs (vi.unstubAllEnvs).
          isolate: false,
          typecheck: {
            enabled: true,
            include: ["test/**/*.test-d.ts"],
            tsconfig: "./tsconfig.json",
          },
        },
      },
      {
        extends: true,
        test: {
          name: "processes",
          include: PROCESSES,
        },
      },
    ],
  },
});
