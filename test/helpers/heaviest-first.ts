// The order vitest starts test files in (vitest.config.ts): the files known to take longest first, so that two
// workers finish together instead of one running a long file alone at the end. Vitest's own order (the durations it
// cached from the last run, else file sizes) decides among the rest; on a fresh clone it has no durations.
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest first, as measured on a 2-core machine (seconds, each file run on its own): the cross-check builds a
 * SUNDIALS with a leak and runs valgrind (74), the published calibrations are judged again (51), the default run is
 * 5 000 iterations (50), the attributed run two files read (47), the published site is regenerated (33), the harness's
 * processes (33), then 22 s and less.
 */
export const HEAVIEST = [
  'test/crosscheck.test.ts',
  'test/attribution.test.ts',
  'test/calibrations.test.ts',
  'test/verdicts.test.ts',
  'test/published.test.ts',
  'test/harness.test.ts',
  'test/foreign-sites.test.ts',
  'test/zoo.test.ts',
  'test/browser-host.test.ts', // cells, attribution passes and a bench in pages of Chromium (20 s on its own)
  'test/browser-modules.test.ts', // a library's and a foreign module's cells in pages, and refusals (17 s on its own)
  'packages/attribution/src/js-heap.test.ts',
  'packages/analysis/src/verdict/operating.test.ts',
  'test/foreign.test.ts',
  'test/numerics.test.ts',
  'test/shards.test.ts',
  'test/case-studies.test.ts',
];

export class HeaviestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const rank = (f: TestSpecification) => {
      const k = HEAVIEST.indexOf(relative(root, f.moduleId).replaceAll('\\', '/'));
      return k === -1 ? HEAVIEST.length : k;
    };
    // Array.prototype.sort is stable: vitest's order stays among files of one rank.
    return [...(await super.sort(files))].sort((a, b) => rank(a) - rank(b));
  }
}
