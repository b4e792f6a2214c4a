// The case studies on real libraries from the npm registry (examples/case-studies, README "Case studies"): each
// leak, caused by a documented misuse, is sized by the published runs within 10 % of its truth — measured outside
// leakbench by examples/case-studies/truth/truth.mjs — in the C allocator layer of the library's own module, in both
// host profiles at the default iteration count; each correct use passes `leakbench check`. The stored verdicts are
// what today's rules say of the stored series, and the stored truth is what the pinned libraries do today.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRun } from '@leakbench/core';
import { judgeCell } from '@leakbench/analysis';
import { RUN_DEFAULTS } from '@leakbench/harness';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const DATA = join(ROOT, 'published/data/case-studies');
const STUDIES = join(ROOT, 'examples/case-studies');

interface Case {
  id: string;
  misuse: string;
  correct: string;
  /** The library's module, as the harness's probes name it: a selected shared object, or the script that instantiated the WebAssembly module. */
  module: RegExp;
  /** In a page, where the bundle's source map leads (the library's own map, when it ships one), when not `module`. */
  pageModule?: RegExp;
  kind: 'native' | 'wasm';
}
const CASES: Case[] = [
  { id: 'tree-sitter-native', misuse: 'keep-trees', correct: 'drop-trees', module: /node_modules\/tree-sitter\/build\/Release\/tree_sitter_runtime_binding\.node$/, kind: 'native' },
  { id: 'tree-sitter-wasm', misuse: 'no-delete', correct: 'delete', module: /node_modules\/web-tree-sitter\/tree-sitter\.js$/, pageModule: /node_modules\/web-tree-sitter\/lib\/tree-sitter\.mjs$/, kind: 'wasm' },
  { id: 'sql-js', misuse: 'no-free', correct: 'free', module: /node_modules\/sql\.js\/dist\/sql-wasm\.js$/, kind: 'wasm' },
  { id: 'yoga', misuse: 'no-free', correct: 'free', module: /node_modules\/yoga-layout\/dist\/binaries\/yoga-wasm-base64-esm\.js$/, kind: 'wasm' },
];
const PROFILES = ['stable', 'stock'] as const;

interface Truth {
  case: string;
  layer: string;
  iterations: number;
  misuseBytesPerIteration: number;
  correctBytesPerIteration: number;
}
const storedTruth = (): Truth[] => readFileSync(join(DATA, 'truth.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Truth);
const truthOf = (id: string) => storedTruth().find((t) => t.case === id)!;
/** A published run: `profile` stable or stock (Node), or chromium (a page, stable profile). */
const runDir = (profile: string, c: Case, workload: string) => join(DATA, `${c.id}-${workload}-${profile}`);
const cellOf = (dir: string) => {
  const run = readRun(dir);
  expect(run.cells).toHaveLength(1);
  return { run, cell: run.cells[0]! };
};

describe('case studies on real libraries', () => {
  it('has its libraries installed by the set-up (examples/case-studies, pinned by its lock file)', () => {
    const lock = JSON.parse(readFileSync(join(STUDIES, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
    const pinned = JSON.parse(readFileSync(join(STUDIES, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const [name, version] of Object.entries(pinned.dependencies)) {
      expect(version, `${name} is pinned to one version`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
      const installed = join(STUDIES, 'node_modules', name, 'package.json');
      expect(existsSync(installed), `${name} installed (npm run setup)`).toBe(true);
      expect((JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version, name).toBe(version);
    }
  });

  it('the stored truth is what the pinned libraries do today (truth.mjs, outside leakbench)', () => {
    const out = execFileSync(process.execPath, ['--expose-gc', join(STUDIES, 'truth/truth.mjs')], { encoding: 'utf8', timeout: 120_000 });
    const now = out.trim().split('\n').map((l) => JSON.parse(l) as Truth);
    expect(now.map((t) => t.case)).toEqual(CASES.map((c) => c.id));
    for (const t of now) {
      const stored = truthOf(t.case);
      expect(Math.abs(t.misuseBytesPerIteration / stored.misuseBytesPerIteration - 1), t.case).toBeLessThan(0.01);
      // The correct use leaves nothing behind: within 1 % of the misuse's bytes (the native process's own noise).
      expect(Math.abs(t.correctBytesPerIteration), t.case).toBeLessThan(0.01 * t.misuseBytesPerIteration);
    }
  });

  it('refuses an unknown case, naming the accepted ones (exit 2)', () => {
    const r = spawnSync(process.execPath, ['--expose-gc', join(STUDIES, 'truth/truth.mjs'), 'nope'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('accepted: tree-sitter-native, tree-sitter-wasm, sql-js, yoga');
  });

  // Where (attribution passes of the stock runs): the C sites come from the harness's probes, in code leakbench did
  // not build and that has no DWARF; together they are the leak, and the correct uses grow nowhere that matters.
  it.each(CASES)('$id (stock): the misuse\'s growing C sites lie in the library\'s own module and add up to its truth within 10 %; the correct use\'s to under 1 % of it', (c) => {
    const truth = truthOf(c.id).misuseBytesPerIteration;
    const misuse = cellOf(runDir('stock', c, c.misuse)).cell.attribution!;
    expect(misuse.c, misuse.cNotRecorded ?? '').not.toBeNull();
    expect(Math.abs(misuse.c!.bytesPerIteration / truth - 1), `sites ${misuse.c!.bytesPerIteration} vs truth ${truth}`).toBeLessThanOrEqual(0.1);
    const top = misuse.c!.sites[0]!;
    expect(top.nameSource, top.site).not.toBe('dwarf');
    expect(top.nameSource, top.site).not.toBeNull();
    // Named from the library's module: its ELF symbol table natively; in WASM its name section, else its function index.
    const modules = misuse.c!.modules.map((m) => m.module);
    if (c.kind === 'native') expect(modules.some((m) => c.module.test(m)), modules.join(', ')).toBe(true);
    else expect(modules.some((m) => m.endsWith('.wasm')), modules.join(', ')).toBe(true);
    for (const workload of [c.correct, `${c.correct}-gate`]) {
      const a = cellOf(runDir('stock', c, workload)).cell.attribution!;
      expect(a.c, `${workload}: ${a.cNotRecorded}`).not.toBeNull();
      expect(a.c!.bytesPerIteration / truth, `${workload}: ${JSON.stringify(a.c!.sites.map((x) => x.site))}`).toBeLessThan(0.01);
    }
  });

  it("tree-sitter-wasm (stock): the misuse's growing linear memory is a site of its own, with its module", () => {
    const c = CASES.find((x) => x.id === 'tree-sitter-wasm')!;
    const a = cellOf(runDir('stock', c, c.misuse)).cell.attribution!;
    expect(a.stores.map((st) => [st.kind, c.module.test(st.module ?? '')])).toEqual([['WebAssembly.Memory', true]]);
    expect(a.stores[0]!.bytesPerIteration).toBeGreaterThanOrEqual(a.c!.bytesPerIteration);
  });

  it("sql-js (stock): the minified statement class is found where it is defined", () => {
    const c = CASES.find((x) => x.id === 'sql-js')!;
    const site = cellOf(runDir('stock', c, c.misuse)).cell.attribution!.js.sites.find((s) => s.name === 'c')!;
    expect(site.definedAt).toMatchObject({ script: expect.stringMatching(/sql\.js\/dist\/sql-wasm\.js$/), line: 74, column: 115 });
  });

  describe.each(PROFILES)('host profile %s, default iterations', (profile) => {
    it.each(CASES)('$id: the misuse is a leak in the C allocator of the library\'s module, sized within 10 % of its truth', (c) => {
      const { run, cell } = cellOf(runDir(profile, c, c.misuse));
      expect(run.manifest.options.host.profile).toBe(profile);
      expect(run.manifest.options.iterations).toBe(RUN_DEFAULTS.iterations);
      const v = cell.verdict!;
      const truth = truthOf(c.id).misuseBytesPerIteration;
      expect([v.decision, v.where]).toEqual(['leak', 'c-allocator']);
      const within = (x: number) => Math.abs(x / truth - 1);
      expect(within(v.bytesPerIteration!), `whole leak ${v.bytesPerIteration} vs truth ${truth}`).toBeLessThanOrEqual(0.1);
      const module = v.attribution.find((a) => a.layer === 'moduleHeapBytes')!;
      expect(within(module.bytesPerIteration), `module heap ${module.bytesPerIteration} vs truth ${truth}`).toBeLessThanOrEqual(0.1);
      const cAllocator = v.attribution.filter((a) => a.where === 'c-allocator').reduce((s, a) => s + a.bytesPerIteration, 0);
      expect(within(cAllocator), `C allocator ${cAllocator} vs truth ${truth}`).toBeLessThanOrEqual(0.1);
      // The module layer is the library's: the probe names its shared object or the script that loaded its WASM.
      const probes = JSON.parse(readFileSync(join(runDir(profile, c, c.misuse), 'cells', cell.record.spec.id, 'probes.json'), 'utf8')) as {
        native: { objects: string[] };
        wasm: { instantiatedBy: string | null; allocatorBytes: number | null }[];
      };
      if (c.kind === 'native') expect(probes.native.objects.some((o) => c.module.test(o)), probes.native.objects.join(', ')).toBe(true);
      else {
        // Node's own modules may be there too (undici's llhttp, instantiated by Node's fetch): the library's holds the bytes.
        // (web-tree-sitter's grammar is a side module allocating with the main module's allocator: counted there.)
        const bytes = (ms: typeof probes.wasm) => ms.reduce((a, m) => a + (m.allocatorBytes ?? 0), 0);
        const library = probes.wasm.filter((m) => c.module.test(m.instantiatedBy ?? ''));
        expect(library.length, probes.wasm.map((m) => m.instantiatedBy).join(', ')).toBeGreaterThan(0);
        expect(bytes(library) / bytes(probes.wasm)).toBeGreaterThan(0.99);
      }
    });

    it.each(CASES)('$id: the correct use is never a leak at the default iterations, and the gate run (--until-decided) passes `leakbench check`', (c) => {
      expect(cellOf(runDir(profile, c, c.correct)).cell.verdict!.decision).not.toBe('leak');
      const gate = runDir(profile, c, `${c.correct}-gate`);
      const { run, cell } = cellOf(gate);
      expect(run.manifest.options.sequential).toMatchObject({ minIterations: 120, maxIterations: 2000 });
      expect(cell.verdict!.decision).toBe('no-leak');
      const r = spawnSync(process.execPath, [CLI, 'check', gate], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });

    it.each(CASES.flatMap((c) => [c.misuse, c.correct, `${c.correct}-gate`].map((w) => ({ ...c, workload: w }))))('$id $workload: the stored verdict is what today\'s rules say of the stored series', (c) => {
      const { run, cell } = cellOf(runDir(profile, c, c.workload));
      const again = judgeCell(cell.record.spec, cell.samples, run.manifest.options.host, cell.attribution);
      expect(JSON.parse(JSON.stringify(again))).toEqual(cell.verdict);
    });
  });

  // The WebAssembly libraries in a page (`--runtime chromium`: bundled for the browser, the harness's probe carried
  // into the page): sql.js's and yoga's plug-ins as written; web-tree-sitter's as a web app loads it
  // (tree-sitter-wasm-page.mjs: the grammar imported as a URL, the input bundled as text — a page has no node:fs).
  describe('in a page of headless Chromium (--runtime chromium), stable profile, default iterations', () => {
    const IN_PAGE = CASES.filter((c) => c.kind === 'wasm');
    it.each(IN_PAGE)("$id: the misuse is a leak in the C allocator of the library's module, its module heap within 0.1 % of its truth", (c) => {
      const { run, cell } = cellOf(runDir('chromium', c, c.misuse));
      expect(run.manifest.options.host.profile).toBe('stable');
      expect(run.manifest.options.iterations).toBe(RUN_DEFAULTS.iterations);
      expect(cell.record.spec.host).toBe('chromium');
      expect(cell.record.build?.runtime).toMatch(/^Chromium \d/);
      const v = cell.verdict!;
      const truth = truthOf(c.id).misuseBytesPerIteration;
      expect([v.decision, v.where]).toEqual(['leak', 'c-allocator']);
      const module = v.attribution.find((a) => a.layer === 'moduleHeapBytes')!;
      expect(Math.abs(module.bytesPerIteration / truth - 1), `module heap ${module.bytesPerIteration} vs truth ${truth}`).toBeLessThanOrEqual(0.001);
      // The whole leak adds what the misuse keeps in the page's JS heap (sql.js's Statement handles), no more.
      expect(Math.abs(v.bytesPerIteration! / truth - 1), `whole leak ${v.bytesPerIteration} vs truth ${truth}`).toBeLessThanOrEqual(0.1);
      // Named as in Node: the bundle's source map gives the library's glue as the script that instantiated it.
      // (web-tree-sitter's grammar is a side module its glue instantiates too.)
      const probes = JSON.parse(readFileSync(join(runDir('chromium', c, c.misuse), 'cells', cell.record.spec.id, 'probes.json'), 'utf8')) as { wasm: { instantiatedBy: string | null }[] };
      expect(probes.wasm.length).toBeGreaterThan(0);
      for (const m of probes.wasm) expect(m.instantiatedBy, JSON.stringify(probes.wasm)).toMatch(c.pageModule ?? c.module);
    });

    it.each(IN_PAGE)('$id: the correct use is never a leak at the default iterations, and the gate run (--until-decided) passes `leakbench check`', (c) => {
      expect(cellOf(runDir('chromium', c, c.correct)).cell.verdict!.decision).not.toBe('leak');
      const gate = runDir('chromium', c, `${c.correct}-gate`);
      const { run, cell } = cellOf(gate);
      expect(run.manifest.options.sequential).toMatchObject({ minIterations: 120, maxIterations: 2000 });
      expect(cell.verdict!.decision).toBe('no-leak');
      const r = spawnSync(process.execPath, [CLI, 'check', gate], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    });

    it.each(IN_PAGE.flatMap((c) => [c.misuse, c.correct, `${c.correct}-gate`].map((w) => ({ ...c, workload: w }))))('$id $workload: the stored verdict is what today\'s rules say of the stored series', (c) => {
      const { run, cell } = cellOf(runDir('chromium', c, c.workload));
      const again = judgeCell(cell.record.spec, cell.samples, run.manifest.options.host, cell.attribution);
      expect(JSON.parse(JSON.stringify(again))).toEqual(cell.verdict);
    });
  });
});
