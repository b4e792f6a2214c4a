import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // Several tests spawn real cells (child Node processes running CVODE, two at a time) and attribution passes;
    // test files run one at a time so that no cell is starved by another file's cells: under that load a native
    // `object` cell's JS heap series was seen stepping by ±300 B every other iteration, and its verdict with it.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
