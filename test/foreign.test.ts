// Any module: leakbench's own addon (its plain build, no allocator wrappers) and WASM module loaded as plug-ins
// with their own counters hidden, so the harness's probes alone measure them — the preloaded malloc interposer and
// glibc's count natively, the load-time allocator rewrite in WASM. Through the real CLI, as a user would; the sizes
// are the C fixtures' known growth (the built-in counters measure the same: test/zoo.test.ts).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readVerdict } from '@leakbench/core';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');
const leakbench = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `leakbench-${name}-`));

// What one iteration adds to the module's heap: glibc's usable size natively (malloc_usable_size), dlmalloc's chunk
// in WASM.
const SIZES: Record<string, Record<string, number>> = {
  native: { double: 24, 'malloc:80': 88, 'new:80': 88, 'strdup:64': 72 },
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
      // What the probe counts per iteration: every measured step of the module heap is the block's size — in WASM
      // exactly; natively its usable size, which for the same request is now and then one 16 B granule more (glibc's
      // chunk was larger — most likely a reused free chunk too small to split: `strdup:64` steps 72 or 88 B).
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
