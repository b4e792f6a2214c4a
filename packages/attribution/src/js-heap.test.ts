// The JS heap attribution on real V8 heap snapshots of a process with known shapes (test/snapshot-process.mjs),
// and the growth rule on plain summaries.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { attributeJsHeap } from './index.js';
import { growingSites, type SnapshotSummary } from './js-heap.js';
import { INSTRUMENT_CLASS } from '@leakbench/core';

const HELPER = resolve(import.meta.dirname, '../test/snapshot-process.mjs');

async function attributeShapes(shapes: string) {
  const dir = mkdtempSync(join(tmpdir(), 'lb-attr-'));
  try {
    const lines = execFileSync(process.execPath, ['--expose-gc', HELPER, dir, shapes], { encoding: 'utf8' }).trim().split('\n');
    const files = lines.map((l) => JSON.parse(l) as { file: string; iteration: number });
    return await attributeJsHeap(files);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('attributeJsHeap (real heap snapshots)', () => {
  it('names a Map memo, its entries and what holds them, and nothing for a clean process', async () => {
    const a = await attributeShapes('memo,garbage,cache,init');
    const program = a.js.sites.filter((s) => s.owner === 'program');
    const entry = program.find((s) => s.name === 'MemoEntry');
    expect(entry, JSON.stringify(program.map((s) => s.name))).toBeDefined();
    expect(entry!.objectsPerIteration).toBeCloseTo(1, 5);
    expect(entry!.retainers.map((r) => r.edge)).toContain('memo');
    // Where its class is defined, from the snapshot: the helper's `constructor(` of MemoEntry (1-based line, column).
    const source = readFileSync(HELPER, 'utf8').split('\n');
    const line = source.findIndex((l, k) => k > source.findIndex((x) => x.startsWith('class MemoEntry')) && l.includes('constructor(')) + 1;
    expect(entry!.definedAt).toEqual({ script: expect.stringMatching(/snapshot-process\.mjs$/), line, column: source[line - 1]!.indexOf('(') + 1 });
    const map = program.find((s) => s.name === 'Map');
    expect(map?.grownStores).toBeGreaterThan(0);
    expect(map?.definedAt, 'a built-in has no definition in a script').toBeNull();
    // The bounded cache filled and stopped, the one-time object came once, the garbage died: none grows.
    for (const name of ['CacheEntry', 'InitOnce']) expect(program.map((s) => s.name)).not.toContain(name);
    expect(a.snapshots.map((s) => s.iteration)).toEqual([20, 80, 140]);

    const clean = await attributeShapes('garbage,cache,init');
    expect(clean.js.sites.filter((s) => s.owner === 'program')).toEqual([]);
    expect(clean.js.programBytesPerIteration).toBe(0);
  });

  it('counts an array that only grows its store, by the store of the array that holds it', async () => {
    const a = await attributeShapes('array,kept');
    const arrays = a.js.sites.filter((s) => s.owner === 'program' && s.name === 'Array');
    expect(arrays.length).toBe(1);
    // 8-byte doubles (numbers) and one pointer per kept object; capacity grows by reallocation.
    expect(arrays[0]!.bytesPerIteration).toBeGreaterThan(8);
    const kept = a.js.sites.find((s) => s.name === 'Kept')!;
    expect(kept.objectsPerIteration).toBeCloseTo(1, 5);
    expect(kept.retainers.map((r) => r.edge)).toContain('kept');
  });

  it("leaves out what leakbench's own instrument holder keeps: neither the program's growth nor V8's", async () => {
    // The instrument's table gains an entry (an array of frames) per iteration: alone, no program object grows.
    const alone = await attributeShapes('instrument');
    expect(alone.js.sites.filter((s) => s.owner === 'program')).toEqual([]);
    // Beside a program that keeps objects (in an array), the program's sites are the same as without it.
    const program = (shapes: string) => attributeShapes(shapes).then((a) => a.js.sites.filter((s) => s.owner === 'program'));
    const both = await program('instrument,kept');
    expect(both.map((s) => s.name).sort()).toEqual((await program('kept')).map((s) => s.name).sort());
    for (const site of both) expect(site.retainers.map((r) => r.holder), site.name).not.toContain(INSTRUMENT_CLASS);
  });
});

describe('growingSites', () => {
  const summary = (iteration: number, groups: Record<string, number>): SnapshotSummary => ({
    iteration,
    file: `heap-${iteration}`,
    heapBytes: 0,
    nodes: 0,
    groups: new Map(Object.entries(groups).map(([k, bytes]) => [k, { name: k, type: 'object', owner: 'program', bytes, objects: bytes / 16, externalBytes: 0 }])),
  });
  const extras = (kept: Record<string, number>) => ({ kept: new Map(Object.entries(kept)), grownStores: new Map<string, number>(), retainers: new Map(), definedAt: new Map() });

  it('keeps groups that grew in every interval by objects made and kept', () => {
    const s = [summary(10, { a: 160, b: 160, c: 160 }), summary(20, { a: 320, b: 320, c: 160 }), summary(30, { a: 480, b: 320, c: 320 })];
    const sites = growingSites(s, extras({ a: 10, b: 10, c: 10 }));
    expect(sites.map((x) => x.name)).toEqual(['a']); // b stopped, c started late: neither grew in every interval
    expect(sites[0]!.bytesPerIteration).toBe(16);
    expect(sites[0]!.intervals).toEqual([16, 16]);
    expect(sites[0]!.heapIntervals).toEqual([16, 16]);
  });

  it("keeps a group's backing stores out of its heap intervals", () => {
    const g = (bytes: number, externalBytes: number) => ({ name: 'ArrayBuffer', type: 'object', owner: 'program' as const, bytes, objects: bytes / 88, externalBytes });
    const s = [10, 20, 30].map((iteration, k) => ({ ...summary(iteration, {}), groups: new Map([['ab', g(880 * (k + 1), 10_000 * (k + 1))]]) }));
    const [site] = growingSites(s, extras({ ab: 10 }));
    expect(site!.intervals).toEqual([1088, 1088]);
    expect(site!.heapIntervals).toEqual([88, 88]);
    expect(site!.bytesPerIteration).toBe(88);
  });

  it('does not count growth that no kept object or grown store carries (objects alive only at snapshot time)', () => {
    const s = [summary(10, { t: 40 }), summary(20, { t: 48 }), summary(30, { t: 56 })];
    expect(growingSites(s, extras({}))).toEqual([]);
  });
});
