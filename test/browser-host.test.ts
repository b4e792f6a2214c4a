// WASM in a page of headless Chromium (the browser host, backend wasm-chromium) through the real CLI: the study's
// fixtures decided as their shapes say, the C heap sized exactly (the bytes the same module's allocator takes per
// block, measured in C), the layers a page cannot give null and said so, where a page cell leaks (attribution in
// the page), the page timed beside Node like for like, and what a page cannot do refused with exit 2.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseFixture, readAttribution, readManifest, readSamples, readVerdict, runPaths, type Backend, type Sample } from '@leakbench/core';
import { load as loadWasm } from '@leakbench/wasm-cvode';
import { runToEnd } from './helpers/run-to-end.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const CHROMIUM = process.env.LEAKBENCH_CHROMIUM || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
// Outside CI a machine without Chromium skips loudly; in CI (where the set-up installs it) its absence is a failure.
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is absent in CI: npm run setup installs Debian's chromium`);
if (!hasChromium) console.warn(`SKIPPING the browser host's tests: ${CHROMIUM} is absent (npm run setup installs Debian's chromium)`);

const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), `leakbench-${name}-`)), 'run');
const leakbench = (args: string[], env: NodeJS.ProcessEnv = {}) => runToEnd(process.execPath, [CLI, ...args], { cwd: ROOT, env, timeoutMs: 170_000 });

/** What a page cannot give: no such total in the DevTools protocol, no --trace-gc of the renderer's V8. */
const NULL_IN_PAGE: (keyof Sample)[] = ['externalBytes', 'globalHandlesBytes', 'gcMinor', 'gcMajor', 'gcIncremental', 'gcWeakCallbacks', 'gcPauseNs'];
// The study's three kinds (the real workload, a JS leak, a C leak); the whole default set is measured in docs/browser.md.
const FIXTURES = ['none', 'object', 'double'];

describe.skipIf(!hasChromium)('the browser host (wasm-chromium)', () => {
  let wasm: Backend;
  let out: string;
  let run: Awaited<ReturnType<typeof leakbench>>;
  beforeAll(async () => {
    wasm = await loadWasm();
    out = tmp('chromium');
    // The default warm-up (20) and 20 measured iterations: what the issue asks of `none` in a page.
    run = await leakbench(['run', '--backends', 'wasm-chromium', '--fixtures', FIXTURES.join(','), '--iterations', '40', '--warmup', '20', '--out', out, '--json']);
  }, 180_000);

  it('runs every cell in a page and records where: the renderer, its Chromium and V8', () => {
    expect(run.status, run.stderr).toBe(0);
    const manifest = readManifest(out);
    expect(manifest.cells.map((c) => c.spec.fixture).sort()).toEqual([...FIXTURES].sort());
    for (const cell of manifest.cells) {
      expect(cell.status).toBe('ok');
      expect(cell.spec.host).toBe('chromium');
      expect(cell.build?.backend).toBe('wasm-chromium');
      expect(cell.build?.runtime).toMatch(/^Chromium \d+\.[\d.]+ \(V8 \d+\.[\d.]+\), headless$/);
      expect(cell.build?.sundialsVersion).toBe(wasm.info().sundialsVersion);
    }
  });

  it('samples every layer a page gives and leaves the others null', () => {
    for (const cell of readManifest(out).cells) {
      const { samples } = readSamples(runPaths(out).samples(cell.spec.id));
      expect(samples.map((s) => s.phase)).toEqual(['baseline', ...Array(20).fill('warmup'), ...Array(20).fill('measure'), 'settle']);
      for (const s of samples) {
        for (const [k, v] of Object.entries(s)) {
          if (k === 'iterNs') expect(v === null, `${cell.spec.id} ${s.i} ${k}`).toBe(s.phase === 'baseline' || s.phase === 'settle');
          else if (NULL_IN_PAGE.includes(k as keyof Sample)) expect(v, `${cell.spec.id} ${k}`).toBeNull();
          else expect(v, `${cell.spec.id} ${k}`).not.toBeNull();
        }
        // The renderer's pages, not this process's: a page's renderer holds tens of MB.
        expect(s.rssBytes!).toBeGreaterThan(20e6);
        expect(s.maxRssBytes).toBeGreaterThanOrEqual(s.rssBytes!);
      }
    }
  });

  it('decides every cell as its shape says, the C heap exactly', () => {
    const verdict = (f: string) => readVerdict(out, `wasm-chromium-lr1991-${f}`)!;
    // `none`: never a leak, and every exact layer no-leak at 0 B/iter; a fixed 20 measured iterations leave it
    // inconclusive in about 1 of 20 processes on the renderer's RSS alone (a young renderer still touching pages:
    // docs/browser.md), which may only ever be a page-granular layer's doing.
    const none = verdict('none');
    expect(none.decision, none.summary).not.toBe('leak');
    for (const layer of ['moduleHeapBytes', 'heapUsedBytes', 'arrayBuffersBytes', 'allocatorBytes']) {
      const l = none.layers.find((x) => x.layer === layer)!;
      expect(l.decision, `${layer}: ${none.summary}`).toBe('no-leak');
      expect(l.slope, layer).toBe(0);
    }
    const undecided = none.layers.filter((l) => l.decision !== 'no-leak').map((l) => l.layer);
    for (const layer of undecided) expect(['rssBytes', 'vmsBytes', 'maxRssBytes', 'heapTotalBytes', 'wasmMemoryBytes'], none.summary).toContain(layer);
    for (const f of ['object']) {
      expect(verdict(f).decision, verdict(f).summary).toBe('leak');
      expect(verdict(f).where, verdict(f).summary).toBe('js-heap');
    }
    for (const f of ['double']) {
      const v = verdict(f);
      // The truth: what the same module's dlmalloc takes per leaked block, measured in C (Node's instance of it).
      const truth = wasm.fixtureGrowth!(parseFixture(f))!;
      expect(truth).toBeGreaterThan(0);
      expect(v.decision, v.summary).toBe('leak');
      expect(v.where).toBe('c-allocator');
      const heap = v.layers.find((l) => l.layer === 'moduleHeapBytes')!;
      expect(heap.slope).toBe(truth);
      expect(heap.ciLow).toBeLessThanOrEqual(truth);
      expect(heap.ciHigh).toBeGreaterThanOrEqual(truth);
      expect(v.bytesPerIteration).toBe(truth);
    }
  });

  it('says where a page cell leaks: the C allocation site through the tracking variant in the page, the JS store from heap snapshots of the page', async () => {
    // Passes of 30 iterations (snapshots after 20, 25 and 30): enough for one block or object per iteration.
    const r = await leakbench(['attribute', out, '--cells', 'wasm-chromium-lr1991-double,wasm-chromium-lr1991-object', '--iterations', '30', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const double = readAttribution(out, 'wasm-chromium-lr1991-double')!;
    const site = double.c!.sites[0]!;
    expect(site.function).toBe('alloc_from_path');
    expect(site.file).toMatch(/workload\/src\/fixtures\.c$/);
    expect(site.stack.at(-1)).toMatch(/^lbw_simulate \(src\/wasm_api\.c:\d+\)$/);
    expect(site.bytesPerIteration).toBe(wasm.fixtureGrowth!(parseFixture('double')));
    expect(site.blocksPerIteration).toBe(1);
    expect(double.js.sites.filter((s) => s.owner === 'program')).toEqual([]);
    const object = readAttribution(out, 'wasm-chromium-lr1991-object')!;
    const js = object.js.sites.find((s) => s.owner === 'program')!;
    expect(js.name).toBe('Object');
    expect(js.objectsPerIteration).toBe(1);
    // Held by the WASM backend's JS store (the page's global reaches it through the page's runtime).
    expect(js.retainers.map((x) => x.edge)).toContain('kept');
    expect(object.c!.sites).toEqual([]);
  }, 120_000);

  it('times the page beside Node like for like: the same trace bit for bit, the ratio with its interval, where it ran', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'leakbench-bench-')), 'bench.json');
    const r = await leakbench(['bench', '--backends', 'wasm,wasm-chromium', '--models', 'lr1991', '--rounds', '6', '--warmup', '2', '--processes', '1', '--host', 'stable', '--out', file, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const bench = JSON.parse(r.stdout) as { builds: Record<string, { runtime?: string }>; hosts: { models: { model: string; identical: boolean; steps: Record<string, number>; timesMs: Record<string, number[]>; ratios: Record<string, { ratio: number; ciLow: number; ciHigh: number } | null> }[] }[] };
    const m = bench.hosts[0]!.models[0]!;
    expect(m.identical).toBe(true);
    expect(m.steps['wasm-chromium']).toBe(m.steps.wasm);
    expect(m.timesMs['wasm-chromium']).toHaveLength(6);
    for (const t of m.timesMs['wasm-chromium']!) expect(t).toBeGreaterThan(0);
    const ratio = m.ratios['wasm-chromium']!;
    expect(ratio.ciLow).toBeLessThanOrEqual(ratio.ratio);
    expect(ratio.ciHigh).toBeGreaterThanOrEqual(ratio.ratio);
    expect(bench.builds['wasm-chromium']!.runtime).toMatch(/^Chromium \d/);
    expect(bench.builds.wasm!.runtime).toBeUndefined();
  });

  it('refuses what a page cannot do, with exit 2 and the reason, before any cell starts', async () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--fixtures', 'none'], { LEAKBENCH_CHROMIUM: '/nonexistent/chromium' }, /no Chromium at \/nonexistent\/chromium.*npm run setup/],
      [['--fixtures', 'none', '--gc', 'none'], {}, /--gc none is not measurable there \(accepted: before-sample\)/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => {
      const dir = tmp('refused');
      return leakbench(['run', '--backends', 'wasm-chromium', '--iterations', '5', '--warmup', '1', '--out', dir, ...args], env).then((r) => ({ r, dir }));
    }));
    results.forEach(({ r, dir }, k) => {
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(cases[k]![2]);
      expect(existsSync(join(dir, 'run.json'))).toBe(false);
    });
    const simulated = await leakbench(['simulate', '--backend', 'wasm-chromium']);
    expect(simulated.status, simulated.stderr).toBe(2);
    expect(simulated.stderr).toMatch(/runs in a page of Chromium, and simulate computes in this process/);
    const profiled = await leakbench(['bench', '--backends', 'wasm,wasm-chromium', '--profile', join(tmpdir(), 'never-written')]);
    expect(profiled.status, profiled.stderr).toBe(2);
    expect(profiled.stderr).toMatch(/wasm-chromium runs in a page of Chromium.*leave out --profile/);
  });
});
