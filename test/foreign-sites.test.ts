// Where, in a native module leakbench did not build: the harness's malloc interposer records each of the module's
// blocks' allocation stack during an attribution pass, and the sites are named from whatever the module still has —
// DWARF, its ELF symbol table, or nothing but its file name and offsets. leakbench's own plain addon (no allocator
// wrappers) stands in for a prebuilt one, loaded as it is and as two copies stripped the ways addons ship; through
// the real CLI, as a user would.
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readRun, type CellData } from '@leakbench/core';
import { PLAIN_ADDON_PATH } from '@leakbench/native-cvode';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const PLUGIN = 'examples/foreign/leakbench-native.mjs';
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

/** One run with an attribution pass per cell, of the plain addon or a copy of it. */
function attributed(fixtures: string, addon?: string): CellData[] {
  const out = join(mkdtempSync(join(tmpdir(), 'leakbench-foreign-sites-')), 'run');
  const option = addon ? ['--option', `addon=${addon}`] : [];
  const r = leakbench(['run', '--backend-module', PLUGIN, ...option, '--models', 'lr1991', '--fixtures', fixtures, '--iterations', '60', '--attribute', '--out', out, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return readRun(out).cells;
}
const cell = (cells: CellData[], fixture: string) => cells.find((c) => c.record.spec.id.endsWith(`-lr1991-${fixture}`))!;
const moduleHeapRate = (c: CellData) => c.verdict!.attribution.find((a) => a.layer === 'moduleHeapBytes')!.bytesPerIteration;

describe("allocation sites of a native module leakbench did not build (the harness's malloc interposer)", () => {
  let plain: CellData[];
  let symtab: CellData[];
  let stripped: CellData[];
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'leakbench-stripped-'));
    const copy = (name: string, how: string) => {
      mkdirSync(join(dir, name));
      const path = join(dir, name, 'prebuilt.node');
      copyFileSync(PLAIN_ADDON_PATH, path);
      execFileSync('strip', [how, path]);
      return path;
    };
    plain = attributed('none,double,malloc:80');
    symtab = attributed('double', copy('symtab', '--strip-debug'));
    stripped = attributed('double', copy('stripped', '--strip-all'));
  }, 600_000);

  it('none: the interposer recorded the sites and none grew', () => {
    const c = cell(plain, 'none').attribution!;
    expect(c.c, c.cNotRecorded ?? '').not.toBeNull();
    expect(c.c!.sites).toEqual([]);
  });

  it.each(['double', 'malloc-80'])('%s, with DWARF: the fixture\'s allocating function, file and line, above the workload\'s call, at the module heap\'s rate', (fixture) => {
    const c = cell(plain, fixture);
    const sites = c.attribution!.c!.sites;
    expect(sites.length, JSON.stringify(sites.map((s) => s.site))).toBe(1);
    const site = sites[0]!;
    expect(site.nameSource).toBe('dwarf');
    expect(site.file).toMatch(/workload\/src\/fixtures\.c$/);
    expect(site.line).toBeGreaterThan(0);
    expect(site.stack.join(' ← ')).toMatch(/lb_fixture_inject \(src\/fixtures\.c:\d+\).*lb_simulate \(src\/simulate\.c:\d+\)/);
    expect(site.blocksPerIteration).toBeCloseTo(1, 2);
    expect(Math.abs(site.bytesPerIteration - moduleHeapRate(c)) / moduleHeapRate(c)).toBeLessThan(0.1);
  });

  it('without debug information: the function from the ELF symbol table, and the module says why there are no lines', () => {
    const c = cell(symtab, 'double');
    const [site, ...others] = c.attribution!.c!.sites;
    expect(others).toEqual([]);
    expect(site!.nameSource).toBe('symbol table');
    expect(site!.line).toBeNull();
    // The symbol table knows only the physical function the allocating code was inlined into (LTO): one of the
    // functions the DWARF stack of the same site shows, not an unrelated neighbour.
    const dwarfFunctions = cell(plain, 'double').attribution!.c!.sites[0]!.stack.map((f) => f.replace(/ \(.*$/, ''));
    expect(dwarfFunctions).toContain(site!.function);
    expect(Math.abs(site!.bytesPerIteration - moduleHeapRate(c)) / moduleHeapRate(c)).toBeLessThan(0.1);
    const module = c.attribution!.c!.modules.find((m) => m.module.endsWith('symtab/prebuilt.node'))!;
    expect(module).toMatchObject({ debugInfo: false, symbolTables: ['.symtab', '.dynsym'] });
    expect(module.naming).toMatch(/no debug information: functions from the ELF symbol table/);
  });

  it('stripped of every local symbol: the module\'s file name and offset, and it says why', () => {
    const c = cell(stripped, 'double');
    const [site, ...others] = c.attribution!.c!.sites;
    expect(others).toEqual([]);
    expect(site!.nameSource).toBe('address');
    expect(site!.site).toMatch(/^prebuilt\.node\+0x[0-9a-f]+$/);
    expect(Math.abs(site!.bytesPerIteration - moduleHeapRate(c)) / moduleHeapRate(c)).toBeLessThan(0.1);
    const module = c.attribution!.c!.modules.find((m) => m.module.endsWith('stripped/prebuilt.node'))!;
    expect(module).toMatchObject({ debugInfo: false, symbolTables: ['.dynsym'] });
    expect(module.naming).toMatch(/stripped/);
  });
});

describe("allocation sites of a WebAssembly module leakbench did not build (the WASM probe's rewritten allocator)", () => {
  it('none: no growing site; double: the fixture\'s code named by the module\'s name section, at the module heap\'s rate, and the module says it has no lines', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'leakbench-foreign-wasm-sites-')), 'run');
    const r = leakbench(['run', '--backend-module', 'examples/foreign/leakbench-wasm.mjs', '--models', 'lr1991', '--fixtures', 'none,double', '--iterations', '60', '--attribute', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const cells = readRun(out).cells;
    const none = cell(cells, 'none').attribution!;
    expect(none.c, none.cNotRecorded ?? '').not.toBeNull();
    expect(none.c!.sites).toEqual([]);
    const c = cell(cells, 'double');
    const [site, ...others] = c.attribution!.c!.sites;
    expect(others, JSON.stringify(others.map((x) => x.site))).toEqual([]);
    expect(site!.nameSource).toBe('name section');
    // The release build inlines (wasm-opt): the name section knows the function the allocation landed in — one on
    // the fixture's path from the WASM entry point (wasm_api.c) to the allocating call (the DWARF stack natively).
    expect(['lbw_simulate', 'lb_simulate', 'lb_fixture_inject', 'inject_c', 'leak_from_path', 'alloc_from_path']).toContain(site!.function);
    expect(site!.blocksPerIteration).toBeCloseTo(1, 2);
    expect(Math.abs(site!.bytesPerIteration - moduleHeapRate(c)) / moduleHeapRate(c)).toBeLessThan(0.1);
    const module = c.attribution!.c!.modules.find((m) => m.module.endsWith('.wasm'))!;
    expect(module.naming).toMatch(/functions from the wasm name section, no lines/);
  });
});
