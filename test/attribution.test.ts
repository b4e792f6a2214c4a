// Where the growth is, end to end: `leakbench run --attribute` on both real backends and a plug-in backend, and
// `leakbench attribute` on an existing run (issue 11's JS part). Each cell's attribution pass is a fresh process
// with three heap snapshots; the sites it names must be the fixture's objects, held by what holds them, with
// bytes/iteration that agree with the verdict's JS heap share.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRun, retainerText, type RunData, type CellData } from '@leakbench/core';
import { ATTRIBUTED_RUN, sharedRun } from './helpers/shared-runs.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-${name}-`));
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 290_000 });

const programSites = (c: CellData) => c.attribution!.js.sites.filter((s) => s.owner === 'program');

describe('leakbench run --attribute (both backends)', () => {
  let run: RunData;
  const cell = (id: string) => run.cells.find((c) => c.record.spec.id === id)!;
  beforeAll(async () => {
    run = await sharedRun(ATTRIBUTED_RUN); // test/crosscheck.test.ts reads it too
  }, 300_000);

  it('attributes every cell and keeps its snapshots', () => {
    for (const c of run.cells) {
      expect(c.attribution, c.record.spec.id).not.toBeNull();
      expect(c.attribution!.snapshots.map((s) => s.iteration)).toEqual([20, 70, 120]);
      for (const s of c.attribution!.snapshots) expect(existsSync(join(run.dir, 'cells', c.record.spec.id, 'attribution', s.file))).toBe(true);
    }
  });

  it.each(['native', 'wasm'])('%s: none and double show no growing JS object of the program', (backend) => {
    for (const f of ['none', 'double']) expect(programSites(cell(`${backend}-lr1991-${f}`)), f).toEqual([]);
  });

  it.each(['native', 'wasm'])('%s: none, object and list show no growing C heap site of the module', (backend) => {
    for (const f of ['none', 'object', 'list']) {
      const c = cell(`${backend}-lr1991-${f}`).attribution!.c;
      expect(c, `${f}: the backend offers C sites`).not.toBeNull();
      expect(c!.sites, f).toEqual([]);
    }
  });

  it.each(['double', 'double100'])('%s: both backends name the same C allocation site, by function and line, one block per iteration, within 2 per cent of the verdict', (fixture) => {
    const stacks: string[][] = [];
    for (const backend of ['native', 'wasm']) {
      const c = cell(`${backend}-lr1991-${fixture}`);
      const sites = c.attribution!.c!.sites;
      expect(sites.length, JSON.stringify(sites.map((s) => s.site))).toBe(1);
      const site = sites[0]!;
      expect(site.file).toMatch(/workload\/src\/fixtures\.c$/);
      expect(site.line).toBeGreaterThan(0);
      expect(site.blocksPerIteration).toBeCloseTo(1, 2);
      expect(site.stack.join(' ← ')).toMatch(/lb_fixture_inject \(src\/fixtures\.c:\d+\).*lb_simulate \(src\/simulate\.c:\d+\)/);
      const moduleHeap = c.verdict!.attribution.find((a) => a.layer === 'moduleHeapBytes')!.bytesPerIteration;
      expect(Math.abs(site.bytesPerIteration - moduleHeap) / moduleHeap).toBeLessThan(0.02);
      stacks.push(site.stack.slice(0, site.stack.findIndex((f) => f.startsWith('lb_simulate')) + 1));
    }
    expect(stacks[1]).toEqual(stacks[0]); // the WASM build resolves to the same functions and lines as natively
  });

  it.each([
    ['native', 'object', 'Object', '(Global handles)'], // a napi_ref never deleted is a global handle
    ['native', 'list', 'Array', '(Global handles)'],
    ['wasm', 'object', 'Object', 'kept'], // the WASM backend's JS store
    ['wasm', 'list', 'Array', 'kept'],
  ])('%s %s: names %s, one per iteration, held by %s', (backend, fixture, name, holder) => {
    const c = cell(`${backend}-lr1991-${fixture}`);
    const site = programSites(c).find((s) => s.name === name && s.objectsPerIteration > 0);
    expect(site, JSON.stringify(programSites(c).map((s) => s.name))).toBeDefined();
    expect(site!.objectsPerIteration).toBeCloseTo(1, 2);
    const path = retainerText(site!.retainers, Infinity);
    expect(path).toContain(holder);
  });

  // The snapshots count whole objects: one per iteration, of one size, in every interval. (Their agreement with the
  // verdict's rate is checked on the published run, whose quiet series the verdict reads exactly: a cell run under
  // this suite's parallel load can step.)
  // (Within 2 per cent: a group also holds the process's other objects of that constructor, which may add a few
  // bytes over the window.)
  it.each(['object', 'list'])('native %s: growth is one whole object per iteration, the same in every interval', (fixture) => {
    const c = cell(`native-lr1991-${fixture}`);
    const [site, ...others] = programSites(c);
    expect(others).toEqual([]);
    expect(site!.objectsPerIteration).toBeCloseTo(1, 1);
    const perObject = site!.bytesPerIteration / site!.objectsPerIteration;
    const words = Math.round(perObject / 8) * 8; // V8 objects are whole 8-byte words on x64
    expect(Math.abs(perObject - words) / words).toBeLessThan(0.02);
    for (const x of site!.intervals) expect(Math.abs(x - site!.bytesPerIteration) / site!.bytesPerIteration).toBeLessThan(0.02);
  });
});

describe('which cells get a pass', () => {
  const runMemo = (name: string, args: string[]) => {
    const dir = join(tmp(name), 'run');
    const r = leakbench(['run', '--backend-module', 'test/fixtures/memo-backend.mjs', '--models', 'decay', '--fixtures', 'none', '--iterations', '60', '--warmup', '10', '--out', dir, '--json', ...args]);
    expect(r.status, r.stderr).toBe(0);
    return readRun(dir).cells[0]!;
  };

  it('by default, the cells whose JS heap the JIT leaves unsettled (stock) — none in the stable profile; --no-attribute none', () => {
    const stock = runMemo('auto-stock', ['--host', 'stock']);
    expect(stock.attribution, stock.verdict!.summary).not.toBeNull();
    expect(programSites(stock).map((s) => s.name)).toContain('Map');
    expect(runMemo('auto-stable', []).attribution).toBeNull();
    expect(runMemo('auto-off', ['--host', 'stock', '--no-attribute']).attribution).toBeNull();
  });
});

describe('leakbench attribute <run>', () => {
  let dir: string;
  beforeAll(() => {
    dir = join(tmp('attribute-plugin'), 'run');
    const r = leakbench(['run', '--backend-module', 'test/fixtures/memo-backend.mjs', '--models', 'decay', '--fixtures', 'none', '--iterations', '150', '--warmup', '10', '--out', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
  }, 300_000);

  it("names a plug-in backend's growing Map and what holds it, for a leaking cell of an existing run", () => {
    const r = leakbench(['attribute', dir, '--json']); // default: the cells judged leak
    expect(r.status, r.stderr).toBe(0);
    const cell = readRun(dir).cells[0]!;
    expect(cell.verdict!.decision).toBe('leak');
    const names = programSites(cell).map((s) => s.name);
    expect(names).toContain('Map');
    expect(names).toContain('SolveRecord');
    const map = programSites(cell).find((s) => s.name === 'Map')!;
    expect(map.retainers.map((s) => s.edge)).toContain('resultCache');
    // Re-analysing the kept snapshots gives the same sites.
    const again = leakbench(['attribute', dir, '--reanalyse', '--json']);
    expect(again.status, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)[0].js.sites).toEqual(cell.attribution!.js.sites);
  });

  it("names a plug-in backend's own C allocation site, offered through the optional Backend methods", () => {
    const dir2 = join(tmp('attribute-sites'), 'run');
    const r = leakbench(['run', '--backend-module', 'test/fixtures/sites-backend.mjs', '--models', 'decay', '--fixtures', 'none', '--iterations', '60', '--warmup', '10', '--out', dir2, '--attribute', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const c = readRun(dir2).cells[0]!.attribution!.c!;
    expect(c.sites.map((s) => s.site)).toEqual(['solver_step (solver.c:42)']);
    expect(c.sites[0]!.bytesPerIteration).toBe(48);
    expect(c.sites[0]!.keptBlocks).toBe(25); // made between the first two snapshots (iterations 10 and 35), still live
    expect(c.sites[0]!.stack).toEqual(['solver_step (solver.c:42)', 'solve (solver.c:7)']);
  });

  it('exits 2 for a cell that does not exist, or one without a series', () => {
    const missing = leakbench(['attribute', dir, '--cells', 'memo-decay-nope']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no cell 'memo-decay-nope'.*its cells: memo-decay-none/);
    const id = readRun(dir).cells[0]!.record.spec.id;
    rmSync(join(dir, 'cells', id, 'samples.ndjson'));
    const noSeries = leakbench(['attribute', dir, '--cells', id]);
    expect(noSeries.status).toBe(2);
    expect(noSeries.stderr).toMatch(/has no finished series/);
    expect(leakbench(['attribute', join(dir, 'nope')]).status).toBe(2);
  });
});
