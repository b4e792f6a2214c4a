// What a cell's own process loads. A cell measures the JS heap of the process it runs in, and the two full GCs
// before each sample mark everything that process has loaded: with zod, the schemas, the analysis and the snapshot
// parser loaded (before @leakbench/core/cell) the heap at a cell's baseline was 9.9 MB, against 4.6 MB without,
// and each iteration of LR1991 took 22 ms, against 15 (a 1.5 ms solve; the rest was GC). Those belong to the
// parent process; this test keeps them out of the worker's static module graph.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const WORKER = join(ROOT, 'packages/cli/dist/worker.js');

/** The module URLs the worker script loads before it runs (an unknown mode: it loads, then exits 2). */
function workerModules(): string[] {
  const r = spawnSync(process.execPath, [join(ROOT, 'test/helpers/loaded-modules.mjs'), WORKER, 'no-such-mode'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.stderr).toContain("unknown mode 'no-such-mode'");
  return r.stdout.trim().split('\n').map((u) => u.replace(`file://${ROOT}/`, ''));
}

describe("a cell's process", () => {
  it('loads the backends, the probes and the sampler, and none of zod, the schemas, the analysis, the report or the snapshot parser', () => {
    const loaded = workerModules();
    for (const needed of ['packages/harness/dist/cell.js', 'packages/harness/dist/sampler.js', 'packages/harness/dist/probes.js', 'packages/native-cvode/dist/index.js', 'packages/wasm-cvode/dist/index.js', 'packages/core/dist/cell.js']) {
      expect(loaded, needed).toContain(needed);
    }
    const heavy = loaded.filter((u) => /\/zod\/|core\/dist\/(index|schema)\.js$|core\/dist\/storage\/read\.js$|@leakbench\/(analysis|report)|packages\/(analysis|report)\/|attribution\/dist\/(index|js-heap)\.js$|jsdom|@observablehq/.test(u));
    expect(heavy).toEqual([]);
  });
});
