// Benchmark (not a test): the harness's own cost and the workload's speed on this machine.
//   node packages/cli/dist/bench/harness-cost.js [--iterations 50] [--turbo]
// Prints: median time per iteration for each backend × model (same process); the time to take one sample
// (every layer + backend probes, GC excluded) as a share of the default workload's iteration time (goal < 2 %);
// with --turbo, the wall time of the default `turbo run leakbench`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFixture } from '@leakbench/core';
import { median } from '@leakbench/analysis';
import { GcCounter, takeSample } from '@leakbench/harness';
import { loadBackend } from '../registry.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '50' }, turbo: { type: 'boolean', default: false } } });
const N = Number(values.iterations);
const defaultIteration: Record<string, number> = {};

console.log(`median time per iteration (${N} iterations after 5 warm-up, one process per backend, fixture none):`);
for (const id of ['native', 'wasm']) {
  const backend = await loadBackend(id);
  for (const model of backend.models()) {
    const opts = { model: model.id, durationMs: model.defaultDurationMs ?? null, logIntervalMs: model.defaultLogIntervalMs ?? null, fixture: parseFixture('none') };
    for (let i = 0; i < 5; i++) backend.simulate(opts);
    const times: number[] = [];
    for (let i = 0; i < N; i++) {
      const t = process.hrtime.bigint();
      backend.simulate(opts);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    if (model.id === 'lr1991') defaultIteration[id] = median(times);
    console.log(`  ${id.padEnd(7)} ${model.id.padEnd(7)} ${model.defaultDurationMs} ms simulated: ${median(times).toFixed(3)} ms (min ${Math.min(...times).toFixed(3)})`);
  }
  const gc = new GcCounter(null).start();
  const ctx = { gc, probe: () => backend.probe(), t0: process.hrtime.bigint() };
  for (let i = 0; i < 200; i++) takeSample(ctx, i, 'measure', 0);
  const per: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t = process.hrtime.bigint();
    takeSample(ctx, i, 'measure', 0);
    per.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  gc.stop();
  const share = (median(per) / defaultIteration[id]!) * 100;
  console.log(`  ${id}: one sample takes ${(median(per) * 1000).toFixed(1)} µs (median of 2000) = ${share.toFixed(2)} % of a default lr1991 iteration (goal < 2 %)`);
}

if (values.turbo) {
  const root = resolve(import.meta.dirname, '../../../..');
  const out = join(mkdtempSync(join(tmpdir(), 'leakbench-bench-')), 'run');
  const t = Date.now();
  const r = spawnSync('npx', ['turbo', 'run', 'leakbench', '--', '--out', out], { cwd: root, stdio: 'inherit', env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' } });
  console.log(`default turbo run leakbench: ${((Date.now() - t) / 1000).toFixed(1)} s wall (exit ${r.status}), run in ${out}`);
}
