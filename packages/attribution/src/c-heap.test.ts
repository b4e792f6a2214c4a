// The C heap attribution's own logic: which frames are the allocator's, where a wasm file's code starts, and
// which sites grow — on plain site counts (frames already symbolised, as a backend may give them).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CHeapSites } from '@leakbench/core';
import { attributeCHeap, callerFrames, moduleNaming, objdumpFor, sourceFunction, wasmCodeOffset, type Frame } from './c-heap.js';

const f = (fn: string, line = 1): Frame => ({ function: fn, file: '/src/a.c', line });

describe('callerFrames', () => {
  it('drops link-time wrappers and allocator entry points, physical and inlined', () => {
    const symbols = new Map<string, Frame[]>([
      ['w', [f('__wrap_malloc')]],
      ['n', [f('(anonymous namespace)::checked(unsigned long)'), f('__wrap__Znwm')]], // inlined into the wrapper
      ['m', [f('malloc'), f('leaky', 6)]], // malloc inlined into its caller
      ['c', [f('main', 9)]],
    ]);
    expect(callerFrames(['w', 'n', 'c'], symbols).map((x) => x.function)).toEqual(['main']);
    expect(callerFrames(['m', 'c'], symbols).map((x) => x.function)).toEqual(['leaky', 'main']);
    expect(callerFrames(['c'], symbols).map((x) => x.function)).toEqual(['main']);
  });
});

describe('sourceFunction', () => {
  it("names GCC's clones, partial-inlining parts and cold splits by the source function", () => {
    expect(sourceFunction('inject_c.constprop.0')).toBe('inject_c');
    expect(sourceFunction('lb_simulate.part.0')).toBe('lb_simulate');
    expect(sourceFunction('cvNlsConvTest.lto_priv.0')).toBe('cvNlsConvTest');
    expect(sourceFunction('Vaxpy_Serial.isra.0')).toBe('Vaxpy_Serial');
    expect(sourceFunction('f.constprop.0.isra.0')).toBe('f');
    expect(sourceFunction('main.cold')).toBe('main');
    expect(sourceFunction('ns::f(int) [clone .constprop.0] [clone .isra.0]')).toBe('ns::f(int)');
  });
  it('leaves other names alone', () => {
    expect(sourceFunction('std::vector<int>::push_back(int const&)')).toBe('std::vector<int>::push_back(int const&)');
    expect(sourceFunction('a.partial')).toBe('a.partial');
    expect(sourceFunction('lb_simulate')).toBe('lb_simulate');
  });
});

describe('moduleNaming', () => {
  it('says what a module offers its symboliser, from its section names', () => {
    expect(moduleNaming('/a/x.node', ['.text', '.dynsym', '.debug_info', '.symtab'])).toMatchObject({ debugInfo: true, symbolTables: ['.symtab', '.dynsym'], naming: expect.stringMatching(/^DWARF/) });
    expect(moduleNaming('/a/x.node', ['.text', '.dynsym', '.symtab'])).toMatchObject({ debugInfo: false, naming: expect.stringMatching(/no debug information: functions from the ELF symbol table \(\.symtab, \.dynsym\), no lines$/) });
    expect(moduleNaming('/a/x.node', ['.text', '.dynsym']).naming).toMatch(/\(\.dynsym\).*stripped, so only exported functions have names/);
    expect(moduleNaming('/a/x.node', ['.text']).naming).toMatch(/no debug information and no symbol table \(stripped\): frames by offset/);
    expect(moduleNaming('/a/x.wasm', ['CODE', 'name']).naming).toMatch(/wasm name section/);
    expect(moduleNaming('/a/x.node', null).naming).toMatch(/section headers unreadable/);
  });
  it("finds the objdump of the symboliser's LLVM", () => {
    expect(objdumpFor('llvm-symbolizer-14')).toBe('llvm-objdump-14');
    expect(objdumpFor('llvm-symbolizer')).toBe('llvm-objdump');
  });
});

describe('wasmCodeOffset', () => {
  it('finds the Code section contents after the sections before it', () => {
    // magic, version, a type section of 4 bytes, then the code section (id 10) of 2 bytes.
    const bytes = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 10, 2, 0, 0]);
    expect(wasmCodeOffset(bytes)).toBe(16);
    expect(() => wasmCodeOffset(Uint8Array.from([1, 2, 3, 4]))).toThrow(/not a wasm module/);
  });
});

describe('attributeCHeap', () => {
  const write = (dir: string, snaps: CHeapSites[]) =>
    snaps.map((s, k) => {
      const file = join(dir, `c-heap-${k}.json`);
      writeFileSync(file, JSON.stringify(s));
      return { file, iteration: 10 + 50 * k };
    });
  const stacks = [[], ['malloc', 'leaky (a.c:6)', 'main (a.c:9)'], ['malloc', 'cache (a.c:12)', 'main (a.c:9)']];

  it('keeps sites that grew in every interval, with kept blocks, and drops those that stopped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-cheap-'));
    const files = write(dir, [
      { stacks, sites: [{ stack: 1, epoch: 0, blocks: 10, bytes: 160 }, { stack: 2, epoch: 0, blocks: 5, bytes: 500 }] },
      { stacks, sites: [{ stack: 1, epoch: 0, blocks: 10, bytes: 160 }, { stack: 1, epoch: 1, blocks: 50, bytes: 800 }, { stack: 2, epoch: 0, blocks: 8, bytes: 800 }] },
      {
        stacks,
        sites: [
          { stack: 1, epoch: 0, blocks: 10, bytes: 160 },
          { stack: 1, epoch: 1, blocks: 50, bytes: 800 },
          { stack: 1, epoch: 2, blocks: 50, bytes: 800 },
          { stack: 2, epoch: 0, blocks: 8, bytes: 800 }, // the cache filled in the first interval, then stopped
        ],
      },
    ]);
    const c = attributeCHeap(files, { command: 'llvm-symbolizer', version: 'test' });
    expect(c.sites.map((s) => s.site)).toEqual(['leaky (a.c:6)']);
    const s = c.sites[0]!;
    expect(s.bytesPerIteration).toBe(16);
    expect(s.blocksPerIteration).toBe(1);
    expect(s.intervals).toEqual([16, 16]);
    expect(s.keptBlocks).toBe(50);
    expect(s.stack).toEqual(['leaky (a.c:6)', 'main (a.c:9)']);
    expect(c.bytesPerIteration).toBe(16);
  });

  it("lists the callers that grew a site called from several places (a library's allocation wrapper), most first, without those that did not grow", () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-cheap-'));
    const wrapped = [[], ['xmalloc (lib.c)', 'tree_new', 'parse'], ['xmalloc (lib.c)', 'node_new', 'parse'], ['xmalloc (lib.c)', 'init', 'main']];
    const files = write(
      dir,
      [0, 1, 2].map((k) => ({
        stacks: wrapped,
        sites: [
          { stack: 1, epoch: 0, blocks: 1 + k, bytes: 100 * (1 + k) },
          { stack: 2, epoch: 0, blocks: 1 + k, bytes: 1000 * (1 + k) },
          { stack: 3, epoch: 0, blocks: 1, bytes: 64 }, // allocated once, before the first snapshot
        ],
      })),
    );
    const [site, ...others] = attributeCHeap(files, { command: 'llvm-symbolizer', version: 'test' }).sites;
    expect(others).toEqual([]);
    expect(site!.site).toBe('xmalloc (lib.c)');
    expect(site!.bytesPerIteration).toBe(22);
    expect(site!.callers).toEqual([
      { caller: 'node_new', bytesPerIteration: 20 },
      { caller: 'tree_new', bytesPerIteration: 2 },
    ]);
  });

  it('says which symboliser is missing and how to get it', () => {
    expect(() => attributeCHeap([], null)).toThrow(/llvm-symbolizer.*llvm-14/);
  });
});
