// Any module: leakbench's own addon (its plain build, no allocator wrappers) and WASM module loaded as plug-ins
// with their own counters hidden, so the harness's probes alone measure them — the preloaded malloc interposer and
// glibc's count natively, the load-time allocator rewrite in WASM. Through the real CLI, as a user would; the sizes
// are the C fixtures' known growth (the built-in counters measure the same: test/zoo.test.ts).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFixture, readManifest, readVerdict, ZOO } from '@leakbench/core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-${name}-`));

// What one iteration adds to the module's heap: the allocator's chunk, glibc's natively (its usable size and one size
// word), dlmalloc's in WASM.
const SIZES: Record<string, Record<string, number>> = {
  native: { double: 32, 'malloc:80': 96, 'new:80': 96, 'strdup:64': 80 },
  wasm: { double: 16, 'malloc:80': 88, 'new:80': 88, 'strdup:64': 72 },
};

describe.each([
  ['native', 'examples/foreign/leakbench-native.mjs'],
  ['wasm', 'examples/foreign/leakbench-wasm.mjs'],
])('a %s module measured only through the harness\'s probes', (backend, plugin) => {
  it('counts each C shape\'s block in the module heap at its size (exactly in WASM, in glibc\'s granules natively), calls none no-leak, and says how each layer was measured', () => {
    const out = join(tmp(`foreign-${backend}`), 'run');
    const fixtures = ['none', ...Object.keys(SIZES[backend]!)];
    const r = leakbench(['run', '--backend-module', plugin, '--fixtures', fixtures.join(','), '--iterations', '60', '--no-attribute', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    for (const f of fixtures) {
      const id = `${backend}-foreign-lr1991-${f.replace(':', '-')}`;
      const v = readVerdict(out, id)!;
      const probes = JSON.parse(readFileSync(join(out, 'cells', id, 'probes.json'), 'utf8'));
      expect(probes.layers.moduleHeapBytes.by, id).toBe('harness');
      expect(v.notMeasured, id).toBeUndefined();
      if (f === 'none') {
        expect(v.decision, `${id}: ${v.summary}`).toBe('no-leak');
        continue;
      }
      expect([v.decision, v.where], `${id}: ${v.summary}`).toEqual(['leak', 'c-allocator']);
      // What the probe counts per iteration: every measured step of the module heap is the block's chunk — in WASM
      // exactly; natively, for the same request, now and then one 16 B granule more (glibc handed out a larger
      // chunk — most likely a reused free chunk too small to split: `strdup:64` steps 80 or 96 B).
      const heapSeries = readFileSync(join(out, 'cells', id, 'samples.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.phase === 'measure').map((x) => x.moduleHeapBytes as number);
      const steps = heapSeries.slice(1).map((b, k) => b - heapSeries[k]!);
      const size = SIZES[backend]![f]!;
      const allowed = backend === 'wasm' ? [size] : [size, size + 16];
      expect(steps.every((d) => allowed.includes(d)), `${id}: steps ${steps.join(' ')}`).toBe(true);
      expect(steps.filter((d) => d === size).length / steps.length, `${id}: steps ${steps.join(' ')}`).toBeGreaterThanOrEqual(0.5);
      // The verdict's size: exact in WASM; natively within those granules (at most 16 B over the block's size).
      const heap = v.attribution.find((a) => a.layer === 'moduleHeapBytes')!;
      if (backend === 'wasm') expect(heap.bytesPerIteration, `${id}: ${v.summary}`).toBe(size);
      else expect(heap.bytesPerIteration - size, `${id}: ${v.summary}`).toBeGreaterThanOrEqual(0), expect(heap.bytesPerIteration - size, `${id}: ${v.summary}`).toBeLessThanOrEqual(16);
    }
  });
});

describe('leakbench calibrate --backend-module', () => {
  it('calibrates a module through the probes: its own id, the truth it measures itself, kept when re-judged; --model required when it declares several', () => {
    const out = join(tmp('foreign-calibrate'), 'cal');
    const args = ['calibrate', '--backend-module', 'examples/foreign/leakbench-wasm.mjs', '--fixtures', 'none,double', '--iterations', '40', '--trials', '1', '--none-trials', '1', '--no-attribute', '--out', out];
    const several = leakbench(args);
    expect(several.status, several.stderr).toBe(2);
    expect(several.stderr).toMatch(/declares hh1952, lr1991: give --model/);
    const r = leakbench([...args, '--model', 'lr1991']);
    expect(r.status, r.stderr).toBe(0);
    const cal = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8'));
    expect(cal.options.backends).toEqual(['wasm-foreign']);
    expect(cal.options.backendModule).toBe(join(ROOT, 'examples/foreign/leakbench-wasm.mjs'));
    const double = cal.summaries.find((s: { fixture: string }) => s.fixture === 'double');
    // The truth is the module's own measure of the shape's block (dlmalloc's chunk), not the probes' reading.
    expect(double.trueBytesPerIteration).toBe(16);
    expect(double.byIterations[0].leak).toBe(1);
    expect(double.estimatedBytesPerIteration).toBe(16);
    // Re-judged later, the truth stays the one recorded with the trials (the module need not be there any more):
    // a recorded value no probe would measure survives.
    double.trueBytesPerIteration = 20;
    writeFileSync(join(out, 'calibration.json'), JSON.stringify(cal));
    const again = leakbench(['calibrate', '--reanalyse', out, '--json']);
    expect(again.status, again.stderr).toBe(0);
    const rejudged = JSON.parse(readFileSync(join(out, 'calibration.json'), 'utf8'));
    expect(rejudged.analysed).not.toBeNull();
    const after = rejudged.summaries.find((s: { fixture: string }) => s.fixture === 'double');
    expect([after.trueBytesPerIteration, after.estimatedBytesPerIteration, after.relativeError]).toEqual([20, 16, -0.2]);
    // Measured again when asked (the probe changed): the module's own figure again.
    const remeasured = leakbench(['calibrate', '--reanalyse', out, '--remeasure-truth', '--json']);
    expect(remeasured.status, remeasured.stderr).toBe(0);
    expect(JSON.parse(remeasured.stdout).find((s: { fixture: string }) => s.fixture === 'double').trueBytesPerIteration).toBe(16);
    // A module no longer where the trials found it cannot be measured again: said, exit 2, nothing rewritten.
    const moved = join(tmp('foreign-calibrate'), 'moved');
    cpSync(out, moved, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(moved, 'run.json'), 'utf8'));
    for (const c of manifest.cells) c.spec.backendModule = '/nonexistent/leakbench-wasm.mjs';
    writeFileSync(join(moved, 'run.json'), JSON.stringify(manifest));
    const missing = leakbench(['calibrate', '--reanalyse', moved, '--remeasure-truth']);
    expect([missing.status, missing.stderr]).toEqual([2, expect.stringMatching(/\/nonexistent\/leakbench-wasm\.mjs is not there/)]);
    const stray = leakbench(['calibrate', '--remeasure-truth', '--out', join(tmp('foreign-calibrate'), 'x')]);
    expect([stray.status, stray.stderr]).toEqual([2, expect.stringMatching(/--remeasure-truth goes with --reanalyse/)]);
  });
});

// The foreign-probe calibration (README "Any module"): the zoo's C shapes through leakbench's own addon and WASM
// module loaded as plug-ins, their counters hidden — trials with looks from 120, in both host profiles. Every
// trial's verdict is judged again from its series by test/calibrations.test.ts; here, what the summaries claim.
describe.each([
  ['stable', 'native', 'native-foreign', 'leakbench-native'],
  ['stable', 'wasm', 'wasm-foreign', 'leakbench-wasm'],
  ['stock', 'native', 'native-foreign', 'leakbench-native'],
  ['stock', 'wasm', 'wasm-foreign', 'leakbench-wasm'],
  // The WASM module's web build in pages of headless Chromium (--runtime chromium), the probe carried into the page.
  ['stable', 'wasm-chromium', 'wasm-page-foreign-chromium', 'leakbench-wasm-page'],
])('published foreign-probe calibration, %s host, %s module', (host, backend, id, module) => {
  const name = `${host}-sequential-min120-foreign-${backend}`;
  const cal = () => JSON.parse(readFileSync(join(ROOT, 'published/data/trials', name, 'calibration.json'), 'utf8'));
  it('covers every C shape of the zoo, through the harness\'s probes alone, with looks from 120 in the named profile', () => {
    const c = cal();
    expect(c.options.backends).toEqual([id]);
    expect(c.options.backendModule).toMatch(new RegExp(`/examples/foreign/${module}\\.mjs$`));
    expect([c.options.host, c.options.sequential?.minIterations]).toEqual([host, 120]);
    // The calibration's copy beside the sequential run, which the report shows, is this one.
    expect(JSON.parse(readFileSync(join(ROOT, 'published/data/sequential-run', `calibration-${name.replace('-sequential', '')}.json`), 'utf8'))).toEqual(c);
    const cShapes = ZOO.filter((z) => z.carrier === 'c' || z.layer === 'allocatorBytes').map((z) => z.kind).filter((k) => backend === 'native' || k !== 'mmap');
    expect(new Set(c.summaries.map((s: { fixture: string }) => parseFixture(s.fixture).kind))).toEqual(new Set(cShapes));
    // Where its trials ran: in pages, or in Node.
    const hosts = new Set(readManifest(join(ROOT, 'published/data/trials', name)).cells.map((x) => x.spec.host ?? 'node'));
    expect([...hosts]).toEqual([backend.endsWith('-chromium') ? 'chromium' : 'node']);
  });
  it('calls none no-leak in 20 of 20 trials, no non-leak a leak, and every leak shape a leak in its place in every trial, sized within 5 % of its truth', () => {
    for (const s of cal().summaries) {
      const all = s.byIterations[0];
      const what = `${s.fixture}: ${JSON.stringify(all)}`;
      if (s.fixture === 'none') expect([all.trials, all.noLeak], what).toEqual([20, 20]);
      else if (s.expectedWhere === 'none') expect(all.leak, what).toBe(0);
      else {
        expect(all.correct, what).toBe(all.trials);
        // The doubling vector's size is its staircase's (each step over the period before it): twice the bytes it
        // appends, which is what the fixture states as its truth — in the built-in calibrations too.
        if (s.fixture === 'geometric') expect(s.estimatedBytesPerIteration / s.trueBytesPerIteration, what).toBeCloseTo(2, 1);
        else expect(Math.abs(s.relativeError), `${s.fixture}: ${s.estimatedBytesPerIteration} vs ${s.trueBytesPerIteration}`).toBeLessThanOrEqual(0.05);
      }
    }
  });
});
