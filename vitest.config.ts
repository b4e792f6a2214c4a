import { defineConfig } from 'vitest/config';

/**
 * Test files that start real cells (child Node processes running CVODE, two at a time), attribution passes,
 * benches, builds or the case studies' truth: they run one at a time, after the rest, so that no cell is starved by
 * another file's work — under that load a native `object` cell's JS heap series was seen stepping by ±300 B every
 * other iteration, and its verdict with it.
 */
const MEASURING = [
  'test/attribution.test.ts',
  'test/backends.test.ts',
  'test/case-studies.test.ts',
  'test/crosscheck.test.ts',
  'test/foreign-sites.test.ts',
  'test/foreign.test.ts',
  'test/harness.test.ts',
  'test/numerics.test.ts',
  'test/shards.test.ts',
  'test/verdicts.test.ts',
  'test/wasm-probe-sites.test.ts',
  'test/zoo.test.ts',
];
const ALL = ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    projects: [
      {
        // Everything else judges stored series, renders reports or runs unit tests: nothing it asserts depends on
        // how busy the machine is (no wall-clock thresholds), so these files share the two cores.
        extends: true,
        test: { name: 'compute', include: ALL, exclude: MEASURING, fileParallelism: true, maxWorkers: 2, sequence: { groupOrder: 0 } },
      },
      {
        extends: true,
        test: {
          name: 'measure',
          include: MEASURING,
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          // Runs that several files read are made once (test/helpers/shared-runs.ts).
          globalSetup: ['test/helpers/shared-runs-setup.ts'],
        },
      },
    ],
  },
});
