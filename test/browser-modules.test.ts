// A user's WebAssembly module in a page of headless Chromium (`run --backend-module <path> --runtime chromium`),
// through the real CLI: a library from the registry (sql.js) and leakbench's own module loaded as someone else's
// web build (examples/foreign/leakbench-wasm-page.mjs, which only a page can load), measured by the harness's own
// WebAssembly probe carried into the page — the C heap sized exactly against truths measured outside that probe —
// and what cannot run in a page refused with exit 2 before any cell starts.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseFixture, readAttribution, readManifest, readVerdict, type Backend } from '@leakbench/core';
import { load as loadWasm } from '@leakbench/wasm-cvode';
import { runToEnd } from './helpers/run-to-end.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const CHROMIUM = process.env.LEAKBENCH_CHROMIUM || '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is absent in CI: npm run setup installs Debian's chromium`);
if (!hasChromium) console.warn(`SKIPPING the browser host's module tests: ${CHROMIUM} is absent (npm run setup installs Debian's chromium)`);

const SQL_JS = 'examples/case-studies/sql-js.mjs';
const FOREIGN_PAGE = 'examples/foreign/leakbench-wasm-page.mjs';
const tmp = (name: string) => join(mkdtempSync(join(tmpdir(), `leakbench-${name}-`)), 'run');
const leakbench = (args: string[], env: NodeJS.ProcessEnv = {}) => runToEnd(process.execPath, [CLI, ...args], { cwd: ROOT, env, timeoutMs: 170_000 });
/** The case study's truth, measured outside leakbench (examples/case-studies/truth; test/case-studies.test.ts measures it again). */
const truth = (id: string) =>
  readFileSync(join(ROOT, 'published/data/case-studies/truth.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { case: string; misuseBytesPerIteration: number; correctBytesPerIteration: number })
    .find((t) => t.case === id)!;
const layer = (v: NonNullable<ReturnType<typeof readVerdict>>, name: string) => v.layers.find((l) => l.layer === name)!;
const probesOf = (out: string, cell: string) => JSON.parse(readFileSync(join(out, 'cells', cell, 'probes.json'), 'utf8')) as { layers: Record<string, { by: string | null; how: string }>; native: unknown; wasm: { instantiatedBy: string | null; allocatorBytes: number | null }[] };

// The zoo's C shapes a foreign module carries in the page: one block, a block of a size, a string copy.
const SHAPES = ['double', 'malloc:64', 'strdup:64'];

describe.skipIf(!hasChromium)('a user\'s WebAssembly module in a page (--runtime chromium)', () => {
  let wasm: Backend;
  let sql: { out: string; r: Awaited<ReturnType<typeof leakbench>> };
  let foreign: { out: string; r: Awaited<ReturnType<typeof leakbench>> };
  let url: { out: string; r: Awaited<ReturnType<typeof leakbench>> };
  beforeAll(async () => {
    wasm = await loadWasm();
    const sqlOut = tmp('page-sql');
    const foreignOut = tmp('page-foreign');
    const urlOut = tmp('page-url');
    const [a, b, c] = await Promise.all([
      // Sequential, from iteration 50: the first statements fill holes the set-up left in SQLite's heap (240, 1792,
      // 2120 B …); from about the 18th on, each leaves its whole 2 256 B.
      leakbench(['run', '--backend-module', SQL_JS, '--runtime', 'chromium', '--until-decided', '--min-iterations', '50', '--max-iterations', '120', '--out', sqlOut, '--json']),
      leakbench(['run', '--backend-module', FOREIGN_PAGE, '--runtime', 'chromium', '--models', 'lr1991', '--fixtures', SHAPES.join(','), '--iterations', '30', '--warmup', '10', '--out', foreignOut, '--json']),
      // sql.js as a bundler's user loads it: its .wasm imported as a URL.
      leakbench(['run', '--backend-module', 'examples/case-studies/sql-js-url.mjs', '--runtime', 'chromium', '--iterations', '40', '--out', urlOut, '--json']),
    ]);
    url = { out: urlOut, r: c };
    sql = { out: sqlOut, r: a };
    foreign = { out: foreignOut, r: b };
  }, 300_000);

  it('runs a library from the registry in pages, where the harness\'s probe finds its module and names its script', () => {
    expect(sql.r.status, sql.r.stderr).toBe(0);
    const manifest = readManifest(sql.out);
    expect(manifest.cells.map((c) => c.spec.id).sort()).toEqual(['sql-js-chromium-free-none', 'sql-js-chromium-no-free-none']);
    for (const cell of manifest.cells) {
      expect(cell.status).toBe('ok');
      expect(cell.spec.host).toBe('chromium');
      expect(cell.spec.probes).toEqual({ nativeModules: null, wasm: true });
      expect(cell.build?.runtime).toMatch(/^Chromium \d+\.[\d.]+ \(V8 \d+\.[\d.]+\), headless$/);
      const probes = probesOf(sql.out, cell.spec.id);
      expect(probes.native).toBeNull();
      for (const l of ['allocatorBytes', 'moduleHeapBytes', 'wasmMemoryBytes']) expect(probes.layers[l]!.by, l).toBe('harness');
      // The bundle's source map names the library's own glue, as a Node cell's stack does.
      expect(probes.wasm.map((m) => m.instantiatedBy)).toEqual([join(ROOT, 'examples/case-studies/node_modules/sql.js/dist/sql-wasm.js')]);
      expect(probes.layers.moduleHeapBytes!.how).toMatch(/dlmalloc's own sizes of the live blocks/);
    }
  });

  it('sizes the misuse exactly as measured outside leakbench, and passes the correct use', () => {
    const t = truth('sql-js');
    const misuse = readVerdict(sql.out, 'sql-js-chromium-no-free-none')!;
    expect(misuse.decision, misuse.summary).toBe('leak');
    expect(misuse.where).toBe('c-allocator');
    expect(layer(misuse, 'moduleHeapBytes').slope).toBe(t.misuseBytesPerIteration);
    // The probe's own table of live blocks grows with the leak: it is left out of the page's array buffers.
    expect(layer(misuse, 'arrayBuffersBytes').slope).toBe(0);
    // Decided long before the most it may run.
    expect(misuse.sequential?.decidedAt).toBeLessThan(120);
    const correct = readVerdict(sql.out, 'sql-js-chromium-free-none')!;
    expect(correct.decision, correct.summary).toBe('no-leak');
    expect(layer(correct, 'moduleHeapBytes').slope).toBe(t.correctBytesPerIteration);
  });

  it('says where the misuse leaks in the page: the JS class that grows, defined in the library\'s own file (through the bundle\'s source map), and the C sites in its module', async () => {
    const r = await leakbench(['attribute', sql.out, '--cells', 'sql-js-chromium-no-free-none', '--iterations', '30', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const a = readAttribution(sql.out, 'sql-js-chromium-no-free-none')!;
    const statement = a.js.sites.find((x) => x.name === 'c')!;
    expect(statement.objectsPerIteration).toBe(1);
    // Where a Node pass finds it (test/case-studies.test.ts): the minified statement class in sql.js's glue.
    expect(statement.definedAt).toEqual({ script: join(ROOT, 'examples/case-studies/node_modules/sql.js/dist/sql-wasm.js'), line: 74, column: 115 });
    // The C side from the harness's probe in the page, as in Node (test/case-studies.test.ts): sites in the library's
    // own module, named without DWARF, adding up to the truth within 10 %.
    expect(a.c, a.cNotRecorded ?? '').not.toBeNull();
    const truthBytes = truth('sql-js').misuseBytesPerIteration;
    expect(Math.abs(a.c!.bytesPerIteration / truthBytes - 1), `sites ${a.c!.bytesPerIteration} vs truth ${truthBytes}`).toBeLessThanOrEqual(0.1);
    const top = a.c!.sites[0]!;
    expect(top.nameSource, top.site).not.toBe('dwarf');
    expect(top.nameSource, top.site).not.toBeNull();
    expect(a.c!.modules.map((m) => m.module).some((m) => m.endsWith('.wasm')), JSON.stringify(a.c!.modules)).toBe(true);
  }, 120_000);

  it('serves a .wasm the module imports as a URL (as a browser bundler does), and sizes the same leak exactly', () => {
    expect(url.r.status, url.r.stderr).toBe(0);
    const v = readVerdict(url.out, 'sql-js-url-chromium-default-none')!;
    expect([v.decision, v.where], v.summary).toEqual(['leak', 'c-allocator']);
    expect(layer(v, 'moduleHeapBytes').slope).toBe(truth('sql-js').misuseBytesPerIteration);
    expect(probesOf(url.out, 'sql-js-url-chromium-default-none').wasm.map((m) => m.instantiatedBy)).toEqual([join(ROOT, 'examples/case-studies/node_modules/sql.js/dist/sql-wasm.js')]);
  });

  it('sizes the zoo\'s C shapes in a module only a page can load exactly as the module\'s own allocator count does in Node', async () => {
    // Only a page can load it: its web build fetches its glue and .wasm beside itself.
    await expect((await import(pathToFileURL(join(ROOT, FOREIGN_PAGE)).href) as { load: () => Promise<unknown> }).load()).rejects.toThrow();
    expect(foreign.r.status, foreign.r.stderr).toBe(0);
    for (const shape of SHAPES) {
      const id = `wasm-page-foreign-chromium-lr1991-${shape.replace(':', '-')}`;
      const v = readVerdict(foreign.out, id)!;
      const block = wasm.fixtureGrowth!(parseFixture(shape));
      expect(v.decision, `${id}: ${v.summary}`).toBe('leak');
      expect(v.where, id).toBe('c-allocator');
      expect(layer(v, 'moduleHeapBytes').slope, id).toBe(block);
      expect(v.bytesPerIteration, id).toBe(block);
      // Its own counters hidden: every C layer is the harness's reading in the page.
      expect(probesOf(foreign.out, id).layers.moduleHeapBytes!.by, id).toBe('harness');
    }
  });

  it('times the same module in Node and in a page (bench --runtime node,chromium), each its own column with its interval', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'leakbench-bench-')), 'bench.json');
    const r = await leakbench(['bench', '--backend-module', SQL_JS, '--runtime', 'node,chromium', '--models', 'free', '--rounds', '6', '--warmup', '2', '--processes', '1', '--host', 'stable', '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    // Its iterations return no trace: nothing to compare, and the table says so rather than "identical".
    expect(r.stdout).toMatch(/sql-js-chromium\/sql-js .*\n.*nothing to compare \(no trace: iterate\(\) only\)/);
    const bench = JSON.parse(readFileSync(file, 'utf8')) as { options: { backends: string[] }; builds: Record<string, { runtime?: string }>; hosts: { models: { timesMs: Record<string, number[]>; ratios: Record<string, { ratio: number; ciLow: number; ciHigh: number } | null> }[] }[] };
    expect(bench.options.backends).toEqual(['sql-js', 'sql-js-chromium']);
    expect(bench.builds['sql-js-chromium']!.runtime).toMatch(/^Chromium \d/);
    const m = bench.hosts[0]!.models[0]!;
    for (const id of ['sql-js', 'sql-js-chromium']) expect(m.timesMs[id]!.every((t) => t > 0), id).toBe(true);
    const ratio = m.ratios['sql-js-chromium']!;
    expect(ratio.ciLow).toBeLessThanOrEqual(ratio.ratio);
    expect(ratio.ciHigh).toBeGreaterThanOrEqual(ratio.ratio);
    // A module alone in one place has nothing to be compared with; --runtime places a module only.
    const [alone, builtIn] = await Promise.all([leakbench(['bench', '--backend-module', SQL_JS]), leakbench(['bench', '--backends', 'native,wasm', '--runtime', 'chromium'])]);
    expect(alone.status, alone.stderr).toBe(2);
    expect(alone.stderr).toMatch(/give at least two \(got 1\).*--runtime node,chromium/);
    expect(builtIn.status, builtIn.stderr).toBe(2);
    expect(builtIn.stderr).toMatch(/--runtime places a --backend-module; the built-in WASM module in a page is --backends wasm-chromium/);
  });

  it('refuses what cannot run in a page, with exit 2 and the reason, before any cell starts', async () => {
    const module = (path: string, ...more: string[]) => ['--backend-module', path, '--runtime', 'chromium', ...more];
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [module('examples/minimal-backend.mjs'), {}, /never names the WebAssembly API .* a JS-only module runs in Node/],
      [module('examples/no-such-module.mjs'), {}, /--backend-module examples\/no-such-module\.mjs: no such file/],
      [module('examples/case-studies/tree-sitter-wasm.mjs'), {}, /imports Node's built-in .*node:module.*which a page does not have/],
      [module('test/fixtures/missing-wasm-backend.mjs'), {}, /load\(\) failed in the page: .*HTTP status code is not ok \(404 .*\(the page asked for \/backend\/absent-module\.wasm: not among the build's files, nor beside its sources\)/],
      [module(SQL_JS, '--option', 'rows=3'), {}, /--option rows: the module does not declare it; it declares none/],
      [module(SQL_JS, '--fixtures', 'double'), {}, /fixture 'double' on backend 'sql-js-chromium': it runs its own work \(iterate\(\)\)/],
      [module(SQL_JS, '--native-module', '*.node'), {}, /--native-module counts a native module's C heap in a Node process; a page \(--runtime chromium\) runs WebAssembly only/],
      [module(SQL_JS), { LEAKBENCH_CHROMIUM: '/nonexistent/chromium' }, /no Chromium at \/nonexistent\/chromium/],
      [['--backends', 'wasm', '--runtime', 'chromium'], {}, /--runtime chromium runs a --backend-module in a page; the built-in WASM module in a page is --backends wasm-chromium/],
      [module(SQL_JS).map((a) => (a === 'chromium' ? 'firefox' : a)), {}, /--runtime 'firefox' is not accepted; accepted: node, chromium/],
    ];
    const results = await Promise.all(
      cases.map(([args, env]) => {
        const dir = tmp('page-refused');
        return leakbench(['run', '--iterations', '5', '--warmup', '1', '--out', dir, ...args], env).then((r) => ({ r, dir }));
      }),
    );
    results.forEach(({ r, dir }, k) => {
      expect(r.status, `${cases[k]![0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[k]![2]);
      expect(existsSync(join(dir, 'run.json'))).toBe(false);
    });
  });
});
