// The generated SVG/HTML: structure, escaping, decimation, byte-identical rebuilds, and bad input.
import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JSDOM } from 'jsdom';
import { BENCH_SCHEMA, RunDataError, type BenchResult } from '@leakbench/core';
import { byteTicks, buildReport, cellPage, cellView, decimate, runView, seriesPlot } from './index.js';
import { readRun } from '@leakbench/core';
import { makeRun, makeSamples, tmpDir } from '../test/data.js';

const parse = (html: string) => new JSDOM(html).window.document;

describe('decimate', () => {
  it('keeps every extreme and every step edge of a long step series', () => {
    const pts = Array.from({ length: 50_000 }, (_, i) => ({ x: i, y: Math.floor(i / 997) * 4096 + (i === 31_337 ? 1e6 : 0) - (i === 12_345 ? 5e5 : 0) }));
    const out = decimate(pts, 1000);
    expect(out.length).toBeLessThanOrEqual(4000);
    expect(Math.max(...out.map((p) => p.y))).toBe(Math.max(...pts.map((p) => p.y)));
    expect(Math.min(...out.map((p) => p.y))).toBe(Math.min(...pts.map((p) => p.y)));
    // Every distinct level of the step series survives.
    expect(new Set(out.map((p) => p.y)).size).toBeGreaterThanOrEqual(new Set(pts.filter((p) => p.x !== 31_337 && p.x !== 12_345).map((p) => p.y)).size);
    expect(out[0]).toEqual(pts[0]);
    expect(out.at(-1)).toEqual(pts.at(-1));
  });

  it('leaves short series alone', () => {
    const pts = [{ x: 0, y: 1 }, { x: 1, y: 2 }];
    expect(decimate(pts)).toBe(pts);
  });
});

describe('long series', () => {
  it('draws a 50 000-iteration cell with bounded markup, keeping its extremes', () => {
    const samples = makeSamples('native', 'double', 50_000);
    samples[31_337] = { ...samples[31_337]!, rssBytes: 9e9 }; // a spike that must stay visible
    const html = cellPage(
      cellView({ record: { spec: { id: 'big', backend: 'native', model: 'lr1991', fixture: 'double', iterations: 50_000, warmup: 10, durationMs: 1000, logIntervalMs: 1, gc: 'before-sample', settle: true, backendModule: null }, status: 'ok', exitCode: 0, signal: null, samples: 50_002, startedAt: null, endedAt: null, error: null, build: null }, samples, truncatedTail: false, verdict: null }),
      'run',
      '',
    );
    expect(html.length).toBeLessThan(12_000_000); // ~4000 drawn points per series, not 50 000
    const doc = parse(html);
    const rssRow = [...doc.querySelectorAll('svg')][2]!; // VMS abs, VMS delta, RSS abs
    expect(rssRow.querySelector('g[aria-label="y-axis tick label"]')?.textContent).toMatch(/GiB/); // the 9e9 spike sets the scale
  });
});

describe('byteTicks', () => {
  const labels = (lo: number, hi: number) => { const t = byteTicks(lo, hi); return t.values.map(t.format); };

  it('ticks at round values in the one unit the axis prints', () => {
    const MiB = 1024 ** 2;
    expect(labels(57.2 * MiB, 76.4 * MiB)).toEqual(['60 MiB', '65 MiB', '70 MiB', '75 MiB']);
    expect(labels(-10_000, 300_000)).toEqual(['0 kB', '50 kB', '100 kB', '150 kB', '200 kB', '250 kB']);
    expect(labels(0, 900)).toEqual(['0 B', '200 B', '400 B', '600 B', '800 B']);
  });

  it('gives a narrow range on a large value enough decimals to tell its ticks apart', () => {
    const MiB = 1024 ** 2;
    const ls = labels(57.2281 * MiB, 57.2341 * MiB);
    expect(new Set(ls).size).toBe(ls.length);
    expect(ls.length).toBeGreaterThanOrEqual(3);
    for (const l of ls) expect(l).toMatch(/^57\.2\d\d MiB$/);
  });
});

describe('seriesPlot', () => {
  it('draws step lines, axes, warm-up shading and the trend line', () => {
    const svg = seriesPlot({
      series: [{ name: 'rss', points: [0, 1, 2, 3, 4].map((x) => ({ x, y: x * 4096 })) }],
      unit: 'bytes',
      warmupEnd: 2,
      trend: { x1: 2, y1: 8192, x2: 4, y2: 16384 },
    });
    const doc = parse(svg);
    expect(doc.querySelectorAll('svg')).toHaveLength(1);
    expect(doc.querySelectorAll('g[aria-label="line"] path').length).toBeGreaterThanOrEqual(2); // series + trend
    expect(doc.querySelector('g[aria-label="rect"] rect')).not.toBeNull();
    expect(doc.querySelector('g[aria-label="x-axis tick label"]')?.textContent).toContain('4');
    expect(doc.querySelector('g[aria-label="y-axis tick label"]')?.textContent).toMatch(/kB/);
    expect(doc.querySelector('g[aria-label="x-axis label"]')?.textContent).toMatch(/iteration/);
  });
});

describe('buildReport', () => {
  it('writes an index, a page per cell and a comparison per model × fixture, with verdict captions', async () => {
    const site = join(tmpDir('site'), 'site');
    const { pages } = await buildReport([makeRun({ crashed: true })], site);
    expect(readdirSync(join(site, 'cells')).sort()).toEqual(
      ['native-lr1991-double', 'native-lr1991-none', 'native-lr1991-object', 'wasm-lr1991-double', 'wasm-lr1991-list-crashed', 'wasm-lr1991-none', 'wasm-lr1991-object'].map((c) => `${c}.html`),
    );
    expect(readdirSync(join(site, 'compare')).sort()).toEqual(['lr1991-double.html', 'lr1991-none.html', 'lr1991-object.html']);
    expect(pages).toHaveLength(11);
    const index = parse(readFileSync(join(site, 'index.html'), 'utf8'));
    expect(index.querySelector('table')!.querySelectorAll('a[href^="cells/"]')).toHaveLength(7); // the verdict matrix
    // When each layer decided: the six cells that have a verdict, side by side (the crashed one has none).
    const decidedHead = [...index.querySelectorAll('h2')].find((h) => h.textContent === 'When each layer decided')!;
    // The plot itself, not its legend's swatches: the figure's own svg.
    const grid = decidedHead.nextElementSibling!.nextElementSibling!.querySelector('figure > svg')!;
    expect(grid).not.toBeNull();
    // Its columns are labelled with the cut above the first cell and below the last: a tall figure is read from its top.
    const axes = [...grid.querySelectorAll('g[aria-label="x-axis label"]')].map((g) => g.textContent);
    expect(axes).toEqual(['verdict after this many iterations', 'verdict after this many iterations']);
    expect(grid.querySelectorAll('g[aria-label="x-axis tick label"]')).toHaveLength(2);
    const decidedTable = decidedHead.parentElement!.querySelectorAll('table')[1]!;
    expect([...decidedTable.querySelectorAll('th a')].map((a) => a.textContent)).toEqual(['native-lr1991-none', 'native-lr1991-object', 'native-lr1991-double', 'wasm-lr1991-none', 'wasm-lr1991-object', 'wasm-lr1991-double']);
    expect(decidedTable.textContent).toMatch(/moduleHeapBytes(no-leak from \d+){2}leak from \d+/); // none, object, double natively
    expect(index.body.textContent).toMatch(/crashed/);
    expect(index.body.textContent).toMatch(/1 cell\(s\) did not finish/);
    const cell = parse(readFileSync(join(site, 'cells/native-lr1991-double.html'), 'utf8'));
    expect(cell.querySelectorAll('svg').length).toBeGreaterThanOrEqual(20); // 10 measured rows × 2 columns
    expect(cell.body.textContent).toMatch(/leak in c-allocator: 3\d\.\d B\/iter .*= 24\.0 B c-allocator \(moduleHeapBytes\) \+ \d\.\d B c-allocator \(allocatorBytes\)/);
    expect(cell.body.textContent).toMatch(/WASM linear memory not measured by this backend/);
    // When each layer decided: a grid of decisions per cut and a row per layer, the module heap's leak among them.
    const decided = [...cell.querySelectorAll('h2')].find((h) => h.textContent === 'When each layer decided');
    expect(decided).toBeDefined();
    const rows = [...cell.querySelectorAll('tr')].map((r) => r.textContent ?? '');
    expect(rows.filter((r) => /^moduleHeapBytes\D+from \d+/.test(r))).toEqual([expect.stringMatching(/^moduleHeapBytesleakfrom \d+24\.0 B\/iter$/)]);
    const crashed = parse(readFileSync(join(site, 'cells/wasm-lr1991-list-crashed.html'), 'utf8'));
    expect(crashed.body.textContent).toMatch(/No samples were recorded/);
    const cmp = parse(readFileSync(join(site, 'compare/lr1991-double.html'), 'utf8'));
    // The time ratio with its bootstrap interval, and each side's build profile.
    expect(cmp.body.textContent).toMatch(/ratio wasm\/native = 1\.\d\d \[1\.\d\d–1\.\d\d\] \(in brackets: 95% bootstrap interval/);
    expect(cmp.body.textContent).toMatch(/Builds:native: -O2; math library not recordedwasm: -O2/);
    expect(cmp.querySelectorAll('svg').length).toBeGreaterThanOrEqual(12);
    expect(index.body.textContent).toMatch(/backends compared, with the time ratio per iteration .*double \(wasm\/native 1\.\d\d \[1\.\d\d–1\.\d\d\]\)/);
  });

  it("shows a bench.json the run carries: medians, each ratio with its interval, the work and each side's build", async () => {
    const run = readRun(makeRun());
    const ratio = { ratio: 1.6, ciLow: 1.55, ciHigh: 1.66, level: 0.95, resamples: 2000, paired: true, processes: 1 };
    const build = (backend: string) => ({ ...run.manifest.cells.find((c) => c.spec.backend === backend)!.build!, optFlags: `release: -O3 (${backend})`, mathLibrary: `libm of ${backend}` });
    const bench: BenchResult = {
      schema: BENCH_SCHEMA,
      createdAt: '2026-11-30T00:00:00.000Z',
      environment: run.manifest.environment,
      options: { backends: ['native', 'wasm'], models: ['lr1991'], rounds: 3, warmup: 1, processes: 1, durationMs: null },
      builds: { native: build('native'), wasm: build('wasm') },
      hosts: [
        {
          host: { profile: 'stable', numerics: 'portable', nodeFlags: [], env: {} },
          models: [{ model: 'lr1991', durationMs: 1000, identical: true, maxAbsDifference: 0, steps: { native: 1858, wasm: 1858 }, timesMs: { native: [1, 1.1, 0.9], wasm: [1.6, 1.7, 1.5] }, medianMs: { native: 1, wasm: 1.6 }, ratios: { wasm: ratio },
            profile: { files: { native: 'stable-lr1991-native.perf.data', wasm: 'stable-lr1991-wasm.perf.data' }, samples: { native: 900, wasm: 950 }, workloadShare: { native: 0.9, wasm: 0.85 }, functions: [{ function: 'N_VLinearSum_Serial', msPerCall: { native: 0.05, wasm: 0.28 } }] } }],
        },
      ],
    };
    writeFileSync(join(run.dir, 'bench.json'), JSON.stringify(bench));
    const site = join(tmpDir('bench'), 'site');
    await buildReport([run.dir], site);
    const index = parse(readFileSync(join(site, 'index.html'), 'utf8'));
    const text = index.body.textContent ?? '';
    expect(text).toMatch(/Speed, side by side \(leakbench bench\)/);
    expect(text).toMatch(/stablelr19911\.0001\.6001\.60 \[1\.55–1\.66\]identical \(1858 steps\)/);
    expect(text).toMatch(/nativerelease: -O3 \(native\)libm of native/);
    expect(text).toMatch(/Where the time goes: stable, lr1991/);
    expect(text).toMatch(/N_VLinearSum_Serial0\.0500\.2800\.230/);
  });

  it('compares every backend that ran a model × fixture, with the time ratio of every pair', async () => {
    const run = readRun(makeRun({ thirdBackend: true }));
    const view = runView(run);
    const none = view.comparisons.find((c) => c.fixture === 'none')!;
    expect(none.cells.map((c) => c.backend)).toEqual(['native', 'wasm', 'js']);
    expect(none.ratios.map((r) => `${r.b}/${r.a}`)).toEqual(['wasm/native', 'js/native', 'js/wasm']);
    const site = join(tmpDir('three'), 'site');
    await buildReport([run.dir], site);
    const cmp = parse(readFileSync(join(site, 'compare/lr1991-none.html'), 'utf8'));
    expect(cmp.body.textContent).toMatch(/ratio js\/wasm = \d\.\d\d/);
    expect(cmp.querySelectorAll('a[href="../cells/js-lr1991-none.html"]')).toHaveLength(1);
  });

  it('draws the verdict\'s own trend line, and no change panel for times and counts', () => {
    const run = readRun(makeRun());
    const cell = runView(run).cells.find((c) => c.id === 'native-lr1991-double')!;
    const alloc = cell.rows.find((r) => r.title.startsWith('C allocator'))!;
    const v = alloc.verdict!;
    expect(v.intercept).not.toBeNull();
    expect(alloc.absolute!.trend!.y1).toBeCloseTo(v.intercept! + v.slope * alloc.absolute!.trend!.x1, 6);
    for (const title of ['iteration time', 'GC runs by kind (cumulative)']) {
      const row = cell.rows.find((r) => r.title === title)!;
      expect(row.absolute, title).not.toBeNull();
      expect(row.change, title).toBeNull();
    }
  });

  it('escapes labels that come from data', async () => {
    const site = join(tmpDir('hostile'), 'site');
    await buildReport([makeRun({ hostile: true })], site);
    for (const file of ['index.html', 'cells/native-lr1991-hostile.html']) {
      const html = readFileSync(join(site, file), 'utf8');
      expect(html).not.toContain('<script>');
      expect(html).not.toContain('Test CPU <b>'); // the environment's CPU name
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(parse(html).querySelector('script')).toBeNull();
    }
  });

  it('gives byte-identical output when built twice from the same data', async () => {
    const run = makeRun({ calibration: true });
    const a = join(tmpDir('a'), 'site');
    const b = join(tmpDir('b'), 'site');
    const pa = (await buildReport([run], a)).pages;
    await buildReport([run], b);
    for (const p of pa) expect(readFileSync(p.replace(a, b), 'utf8'), p).toBe(readFileSync(p, 'utf8'));
  });

  it('names the file of bad input, and renders the other runs with keepGoing', async () => {
    const good = makeRun();
    const missing = join(tmpDir('missing'), 'nope');
    const corrupt = makeRun();
    const samples = join(corrupt, 'cells/native-lr1991-none/samples.ndjson');
    const lines = readFileSync(samples, 'utf8').split('\n');
    lines[3] = '{"i": 3, "phase": broken';
    writeFileSync(samples, lines.join('\n'));
    const future = makeRun();
    const manifest = join(future, 'run.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('leakbench/run@1', 'leakbench/run@7'));

    await expect(buildReport([missing], join(tmpDir('x'), 's'))).rejects.toThrow(/nope: run directory does not exist/);
    await expect(buildReport([corrupt], join(tmpDir('x'), 's'))).rejects.toThrow(/samples\.ndjson: line 4 is not valid JSON/);
    await expect(buildReport([future], join(tmpDir('x'), 's'))).rejects.toThrow(RunDataError);
    await expect(buildReport([future], join(tmpDir('x'), 's'))).rejects.toThrow(/run\.json: unknown schema version 'leakbench\/run@7'/);

    const site = join(tmpDir('keep'), 'site');
    const r = await buildReport([good, corrupt, future, missing], site, { keepGoing: true });
    expect(r.failed.map((f) => f.dir)).toEqual([corrupt, future, missing]);
    const index = readFileSync(join(site, 'index.html'), 'utf8');
    expect(index).toContain('Runs that could not be read');
    expect(readdirSync(join(site, 'cells')).length).toBe(6); // one readable run: the site is that run's
  });

  it('tolerates a sample line cut off by a crash (the last line only)', async () => {
    const run = makeRun();
    appendFileSync(join(run, 'cells/wasm-lr1991-none/samples.ndjson'), '{"i": 999, "pha');
    const site = join(tmpDir('cut'), 'site');
    await expect(buildReport([run], site)).resolves.toBeTruthy();
  });
});
