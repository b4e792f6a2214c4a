// Verdicts end to end on both real backends at the default iteration count, and the `check` CI gate.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRun, type RunData } from '@leakbench/core';
import { RUN_DEFAULTS } from '@leakbench/harness';
import { frontTable } from './helpers/front-table.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-${name}-`));
const leakbench = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 290_000, env: { ...process.env, ...env } });

describe('default run: every fixture judged in the layer it leaks into', () => {
  let run: RunData;
  let dir: string;
  beforeAll(() => {
    dir = join(tmp('default'), 'run');
    const r = leakbench(['run', '--out', dir, '--json']); // defaults: both backends, lr1991, all five fixtures
    expect(r.status, r.stderr).toBe(0);
    run = readRun(dir);
  }, 300_000);

  it('uses the default iteration count', () => {
    expect(run.manifest.options.iterations).toBe(RUN_DEFAULTS.iterations);
    expect(run.cells).toHaveLength(10);
  });

  it.each([
    ['native', 'none', 'no-leak', null],
    ['native', 'object', 'leak', 'js-heap'],
    ['native', 'list', 'leak', 'js-heap'],
    ['native', 'double', 'leak', 'c-allocator'],
    ['native', 'double100', 'leak', 'c-allocator'],
    ['wasm', 'none', 'no-leak', null],
    ['wasm', 'object', 'leak', 'js-heap'],
    ['wasm', 'list', 'leak', 'js-heap'],
    ['wasm', 'double', 'leak', 'c-allocator'],
    ['wasm', 'double100', 'leak', 'c-allocator'],
  ])('%s %s → %s %s', (backend, fixture, decision, where) => {
    const cell = run.cells.find((c) => c.record.spec.backend === backend && c.record.spec.fixture === fixture)!;
    expect(cell.verdict, cell.record.spec.id).not.toBeNull();
    expect(cell.verdict!.decision, cell.verdict!.summary).toBe(decision);
    expect(cell.verdict!.where).toBe(where);
    if (backend === 'native' && (fixture === 'object' || fixture === 'list')) {
      // Each kept object holds a napi_ref: a V8 global handle (malloc'ed, so glibc grows by it too); the module's own
      // heap does not grow. The handle is attributed once, to the global handles, not again to glibc.
      expect(cell.verdict!.layers.find((l) => l.layer === 'moduleHeapBytes')!.decision).toBe('no-leak');
      expect(cell.verdict!.explainedBy).toEqual(expect.arrayContaining(['heapUsedBytes', 'globalHandlesBytes']));
      const parts = Object.fromEntries(cell.verdict!.attribution.map((a) => [a.layer, a.bytesPerIteration]));
      expect(cell.verdict!.bytesPerIteration).toBeCloseTo(Object.values(parts).reduce((a, b) => a + b, 0), 6);
    }
    if (fixture.startsWith('double')) expect(cell.verdict!.explainedBy).toContain('moduleHeapBytes');
    if (fixture === 'double100') {
      // 800 B asked: glibc grows 816 B per block, dlmalloc 808 B; the estimate's CI must cover that growth.
      const expected = backend === 'native' ? 816 : 808;
      expect(cell.verdict!.ciLow!).toBeLessThanOrEqual(expected + 8);
      expect(cell.verdict!.ciHigh!).toBeGreaterThanOrEqual(expected - 8);
    }
  });

  // The README's front table comes from the published run: a fresh main job must say what it says — the same
  // decision in the same place, and a size whose interval meets the published one (two measurements of one leak).
  it("agrees with the published default run, and so with the README's front table, within their intervals", () => {
    const published = readRun(join(ROOT, 'published/data/default-run'));
    for (const claim of frontTable()) {
      const id = `${claim.backend}-lr1991-${claim.fixture}`;
      const fresh = run.cells.find((c) => c.record.spec.id === id)!.verdict!;
      const was = published.cells.find((c) => c.record.spec.id === id)!.verdict!;
      const says = `${id}: fresh '${fresh.summary}', published '${was.summary}'`;
      expect({ decision: fresh.decision, where: fresh.where }, says).toEqual({ decision: claim.decision, where: claim.where });
      if (claim.decision !== 'leak') continue;
      expect(fresh.ciLow!, says).toBeLessThanOrEqual(was.ciHigh!);
      expect(fresh.ciHigh!, says).toBeGreaterThanOrEqual(was.ciLow!);
    }
  });

  it('check passes on the real workload and against itself as baseline', () => {
    const r = leakbench(['check', dir, '--baseline', dir, '--json']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).ok).toBe(true);
  });
});

describe('leakbench check', () => {
  const module = join(ROOT, 'test/fixtures/regressing-backend.mjs');
  const runWith = (leaky: boolean) => {
    const dir = join(tmp('check'), 'run');
    const r = leakbench(['run', '--backend-module', module, '--models', 'decay', '--fixtures', 'none', '--iterations', '200', '--warmup', '30', '--out', dir], {
      LEAKBENCH_TEST_REGRESSION: leaky ? '1' : '0',
    });
    expect(r.status, r.stderr).toBe(0);
    return dir;
  };
  let clean: string;
  let leaky: string;
  beforeAll(() => {
    clean = runWith(false);
    leaky = runWith(true);
  }, 120_000);

  it('exits 0 for a clean workload', () => {
    expect(leakbench(['check', clean]).status).toBe(0);
  });

  it('exits 1 when the workload\'s own store starts growing late in the run (from its 210th of 300 iterations)', () => {
    const dir = join(tmp('late'), 'run');
    const late = join(ROOT, 'test/fixtures/late-store-backend.mjs');
    const r = leakbench(['run', '--backend-module', late, '--models', 'decay', '--fixtures', 'none', '--iterations', '300', '--out', dir]);
    expect(r.status, r.stderr).toBe(0);
    const cell = readRun(dir).cells[0]!;
    const heap = cell.verdict!.layers.find((l) => l.layer === 'heapUsedBytes')!;
    expect(heap.decision, heap.reason).toBe('leak');
    expect(heap.change?.kind).toBe('rate');
    expect(heap.warmupEnd).toBeGreaterThanOrEqual(195); // its last regime starts near the onset
    const gate = leakbench(['check', dir, '--json']);
    expect(gate.status, gate.stdout).toBe(1);
    expect(JSON.parse(gate.stdout).findings.map((f: { kind: string }) => f.kind)).toContain('workload-leak');
  }, 120_000);

  it('exits 1 when the workload itself (fixture none) leaks', () => {
    const r = leakbench(['check', leaky, '--json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.map((f: { kind: string }) => f.kind)).toContain('workload-leak');
  });

  it('exits 1 when the workload cell cannot be decided, naming the iterations that would decide it', () => {
    const dir = join(tmp('undecided'), 'run');
    const run = leakbench(['run', '--backend-module', module, '--models', 'decay', '--fixtures', 'none', '--iterations', '12', '--warmup', '2', '--out', dir], { LEAKBENCH_TEST_NOISE: '1' });
    expect(run.status, run.stderr).toBe(0);
    expect(readRun(dir).cells[0]!.verdict!.decision).toBe('inconclusive');
    const r = leakbench(['check', dir]);
    expect(r.status, r.stdout).toBe(1);
    const needed = Number(/about (\d+) iterations would decide it \(leakbench run --iterations \d+\), or pass --allow-inconclusive/.exec(r.stdout)?.[1]);
    expect(needed).toBeGreaterThan(12);
    expect(leakbench(['check', dir, '--allow-inconclusive']).status).toBe(0);
  });

  it('exits 1 for a run without a `none` cell: nothing judged the real workload', () => {
    const dir = join(tmp('nonone'), 'run');
    expect(leakbench(['run', '--backend-module', module, '--models', 'decay', '--fixtures', 'object', '--iterations', '60', '--warmup', '5', '--out', dir]).status).toBe(0);
    const r = leakbench(['check', dir, '--json']);
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { kind: string }) => f.kind)).toContain('no-workload-cell');
  });

  it('exits 1 when a layer\'s rate rose beyond its interval against a baseline', () => {
    const r = leakbench(['check', leaky, '--baseline', clean, '--json']);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.findings.some((f: { kind: string; layer: string }) => f.kind === 'rate-rose' && f.layer === 'heapUsedBytes')).toBe(true);
  });

  it.each([
    ['a run dir that does not exist', () => join(tmp('missing'), 'nope'), /does not exist/],
    [
      'a run whose manifest fails the schema',
      () => {
        const d = tmp('corrupt');
        writeFileSync(join(d, 'run.json'), JSON.stringify({ schema: 'leakbench/run@1', id: 3 }));
        return d;
      },
      /run\.json: run manifest fails its schema/,
    ],
    [
      'a run of an unknown schema version',
      () => {
        const d = tmp('future');
        writeFileSync(join(d, 'run.json'), JSON.stringify({ schema: 'leakbench/run@99' }));
        return d;
      },
      /unknown schema version 'leakbench\/run@99'/,
    ],
    [
      'an incomplete run',
      () => {
        const d = runWith(false);
        const m = JSON.parse(readFileSync(join(d, 'run.json'), 'utf8'));
        m.cells[0].status = 'crashed';
        writeFileSync(join(d, 'run.json'), JSON.stringify(m));
        return d;
      },
      /run is incomplete: .*crashed/,
    ],
  ])('exits 2 for %s', (_what, make, message) => {
    const r = leakbench(['check', make()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('leakbench analyse', () => {
  it('recomputes the stored verdicts from the stored series, identically', () => {
    const dir = join(tmp('analyse'), 'run');
    expect(leakbench(['run', '--backends', 'wasm', '--fixtures', 'none,double', '--iterations', '60', '--warmup', '5', '--out', dir]).status).toBe(0);
    const before = readRun(dir).cells.map((c) => c.verdict);
    const r = leakbench(['analyse', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).map((v: { cellId: string }) => v.cellId)).toEqual(['wasm-lr1991-none', 'wasm-lr1991-double']);
    expect(readRun(dir).cells.map((c) => c.verdict)).toEqual(before);
  });

  it('exits 2 for a run dir that does not exist', () => {
    const r = leakbench(['analyse', join(tmp('none'), 'nope')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/run directory does not exist/);
  });
});

describe('leakbench calibrate', () => {
  it('runs independent trials, measures the true growth per block, and re-analyses stored trials identically', () => {
    const dir = join(tmp('calibrate'), 'cal');
    const r = leakbench(['calibrate', '--backends', 'wasm', '--fixtures', 'none,double,every:2:64', '--iterations', '10,20', '--trials', '2', '--none-trials', '3', '--out', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    type Row = { trials: number; leak: number; noLeak: number; inconclusive: number };
    const summaries = JSON.parse(r.stdout) as { fixture: string; trueBytesPerIteration: number | null; iterationsToDetect: number | null; falsePositiveRate: number | null; byIterations: Row[] }[];
    const double = summaries.find((s) => s.fixture === 'double')!;
    expect(double.trueBytesPerIteration).toBe(16); // one dlmalloc chunk per leaked double
    // A zoo shape's truth is measured through its own path: one 72-byte dlmalloc chunk every second iteration.
    expect(summaries.find((s) => s.fixture === 'every:2:64')!.trueBytesPerIteration).toBe(36);
    // The confusion row accounts for every trial.
    for (const s of summaries) for (const b of s.byIterations) expect(b.leak + b.noLeak + b.inconclusive).toBe(b.trials);
    expect(double.iterationsToDetect).not.toBeNull();
    expect(double.byIterations.map((b) => b.trials)).toEqual([2, 2]);
    const none = summaries.find((s) => s.fixture === 'none')!;
    expect(none.byIterations.map((b) => b.trials)).toEqual([3, 3]);
    expect(none.falsePositiveRate).toBe(0);
    const run = readRun(dir);
    expect(run.cells).toHaveLength(2 * 3 + 2 * 2 * 2);
    expect(run.calibrations[0]?.trials).toHaveLength(14);
    expect(run.calibrations[0]?.options.host).toBe('stable');
    const again = leakbench(['calibrate', '--reanalyse', dir, '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual(summaries);
  });
});
