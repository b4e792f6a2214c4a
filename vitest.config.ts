import { defineConfig } from 'vitest/config';
import { HeaviestFirst } from './test/helpers/heaviest-first.js';

/**
 * Every test file, two at a time (the machine has two cores; the suite is CPU-bound), the heaviest first so that
 * no long file starts last (test/helpers/heaviest-first.ts).
 *
 * Files that start cells run beside other files, cells of their own included (a run's cells are two at a time too):
 * a cell's exact layers do not depend on how busy the machine is. Measured: the default fixtures, both backends, 60
 * iterations, five runs alone against eight run two at a time — every per-iteration difference of the JS heap, global
 * handles, external and array-buffer bytes and WASM memory identical in all thirteen; the native module heap's only
 * difference a 16-byte larger glibc chunk in one iteration of `double100` in three of the eight (which chunk malloc
 * reuses depends on the order other threads free theirs). The allocator's whole-process figure differs between
 * runs alone as much as beside others. (Before two full GCs per sample, a starved `object` cell's JS heap was seen
 * stepping by ±300 B: the toggle harness/cell.ts's GCS_BEFORE_SAMPLE removed.)
 */
export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    fileParallelism: true,
    maxWorkers: 2,
    sequence: { sequencer: HeaviestFirst },
    // Runs that several files read are made once (test/helpers/shared-runs.ts).
    globalSetup: ['test/helpers/shared-runs-setup.ts'],
  },
});
