// The leak zoo on both real backends, in this process: every shape moves the layer it is catalogued for — a
// leak by at least its size per iteration, a non-leak not at all once it has settled — and a shape a backend
// cannot carry is refused before it runs.
import { beforeAll, describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { setImmediate as turn } from 'node:timers/promises';
import { parseFixture, UsageError, ZOO, zooEntry, type Backend, type Layer } from '@leakbench/core';
import { load as loadNative } from '@leakbench/native-cvode';
import { load as loadWasm } from '@leakbench/wasm-cvode';

v8.setFlagsFromString('--expose_gc');
// The blocks below are read after full GCs, and V8 flushes the bytecode of functions not run for a few full GCs:
// earlier tests' code, hundreds of kB at once, which took a JS heap shape's growth below zero in one run.
v8.setFlagsFromString('--no-flush-bytecode');
const gc = runInNewContext('gc') as () => void;

const backends: Record<string, Backend> = {};
beforeAll(async () => {
  backends.native = await loadNative();
  backends.wasm = await loadWasm();
});

/** Reads a layer after full GCs and event-loop turns (finalizers and FinalizationRegistry callbacks run there). */
async function read(b: Backend, layer: Layer): Promise<number> {
  for (let k = 0; k < 3; k++) {
    gc();
    await turn();
  }
  gc();
  const mem = process.memoryUsage();
  const p = b.probe();
  const values: Partial<Record<Layer, number | null | undefined>> = {
    heapUsedBytes: mem.heapUsed,
    arrayBuffersBytes: mem.arrayBuffers,
    rssBytes: mem.rss,
    allocatorBytes: p.allocatorBytes,
    moduleHeapBytes: p.moduleHeapBytes,
  };
  return values[layer]!;
}

const WARMUP = 300;
const BLOCK = 200;
const BLOCKS = 8;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Growth of `layer` per iteration after a warm-up (a shape's one-time costs land there), over BLOCKS blocks of
 * BLOCK iterations: the `median` block's (robust: this test process runs stock Node, whose own one-time
 * allocations and frees land in a block or two), and the `total` over all of them (for shapes that grow in
 * doubling steps, in some blocks only).
 */
async function growth(b: Backend, fixture: string, layer: Layer, block = BLOCK): Promise<{ total: number; median: number }> {
  const opts = { model: 'lr1991', durationMs: 20, logIntervalMs: 1, fixture: parseFixture(fixture) };
  for (let i = 0; i < WARMUP; i++) b.simulate(opts);
  const values = [await read(b, layer)];
  for (let k = 0; k < BLOCKS; k++) {
    for (let i = 0; i < block; i++) b.simulate(opts);
    values.push(await read(b, layer));
  }
  b.releaseRetained();
  return { total: (values.at(-1)! - values[0]!) / (block * BLOCKS), median: median(values.slice(1).map((v, k) => (v - values[k]!) / block)) };
}

/**
 * The id each leak shape is tried with, and the least it must grow its layer per iteration (its payload; chunk
 * headers and JS overhead come on top). Natively glibc's count is the whole stock test process's, which moves by
 * kilobytes on its own: the geometric vector is given 64 B per call so that its doubling steps stand well above
 * that (its default, one double per call, is what cells measure).
 */
const tried: Record<string, [string, number]> = {
  malloc: ['malloc', 8], every: ['every', 256 / 10], late: ['late', 64], geometric: ['geometric:64', 64 / 2], new: ['new', 64],
  strdup: ['strdup', 64], memalign: ['memalign', 256], mmap: ['mmap', 16384 * 0.9],
  object: ['object', 4], list: ['list', 4], buffer: ['buffer', 1000], 'js-array': ['js-array', 2], memo: ['memo', 16],
};

describe.each(['native', 'wasm'])('%s backend', (id) => {
  const carried = ZOO.filter((z) => id === 'native' || z.kind !== 'mmap');

  it.each(carried.filter((z) => z.leaks).map((z) => z.kind))('leak %s grows its layer by at least its payload per iteration', async (kind) => {
    const z = zooEntry(kind);
    const [fixture, payload] = tried[kind]!;
    // The median block is robust to the stock process's occasional frees, but two cases need the total over a
    // five-times-longer window (where a one-off free weighs a fifth as much per iteration): shapes that grow in
    // doubling steps (natively on the exact module heap, its realloc being the module's own), and natively glibc's
    // count, which is this whole stock process's — its own allocations and frees move a 200-iteration block by
    // ±1.6 kB (every's blocks read 19–41 B/iter for 27.2 B/iter of chunks), so a median block can fall below a small
    // payload.
    const layer: Layer = kind === 'geometric' && id === 'native' ? 'moduleHeapBytes' : z.layer;
    const whole = kind === 'geometric' || kind === 'js-array' || (id === 'native' && layer === 'allocatorBytes');
    const g = await growth(backends[id]!, fixture, layer, whole ? 5 * BLOCK : BLOCK);
    expect(whole ? g.total : g.median, `${fixture}: ${layer} per iteration`).toBeGreaterThanOrEqual(payload);
  });

  it.each(carried.filter((z) => !z.leaks).map((z) => z.kind))('non-leak %s leaves its layer flat once settled', async (kind) => {
    const z = zooEntry(kind);
    // The C allocator's exact view: dlmalloc in WASM; natively the module's own heap, because glibc's count is
    // the whole (stock, tcache on) test process's — its per-thread cache keeps freed chunks of churned sizes
    // counted as in use while it fills, which a cell's stable profile turns off.
    const layer: Layer = id === 'native' && z.layer === 'allocatorBytes' ? 'moduleHeapBytes' : z.layer;
    const g = await growth(backends[id]!, kind, layer);
    expect(Math.abs(g.median), `${kind}: ${layer} per iteration`).toBeLessThan(layer === 'heapUsedBytes' ? 8 : 0.5);
  });

  // (geometric is left out: its one vector, grown by the test above, now doubles less often than this window.)
  it.each(carried.filter((z) => z.leaks && z.carrier === 'c' && z.layer === 'allocatorBytes' && z.kind !== 'geometric').map((z) => z.kind))(
    'leak %s shows in the module\'s own heap too, exactly',
    async (kind) => {
      const [fixture, payload] = tried[kind]!;
      const g = await growth(backends[id]!, fixture, 'moduleHeapBytes');
      expect(g.median, `${fixture}: moduleHeapBytes per iteration`).toBeGreaterThanOrEqual(payload);
    },
  );

  it('keeps the module heap balanced when blocks come from library paths (strdup, aligned, new) and are freed', () => {
    const b = backends[id]!;
    const before = b.probe().moduleHeapBytes;
    for (let k = 0; k < 50; k++) for (const f of ['strdup:100', 'memalign:300', 'new:50', 'malloc:20']) b.fixtureGrowth!(parseFixture(f));
    expect(b.probe().moduleHeapBytes).toBe(before);
  });

  if (id === 'wasm') {
    it('refuses the native-only mmap shape before running it, saying why', () => {
      const b = backends.wasm!;
      expect(b.fixtureProblem?.(parseFixture('mmap'))).toMatch(/native only/);
      expect(() => b.simulate({ model: 'lr1991', durationMs: 5, logIntervalMs: 1, fixture: parseFixture('mmap') })).toThrow(UsageError);
    });
  }
});

describe('zoo ids', () => {
  it('parse with defaults, parameters and aliases, and reject what is not one', () => {
    expect(parseFixture('periodic-large')).toEqual({ kind: 'every', period: 50, bytes: 65536 });
    expect(parseFixture('every:3:40')).toEqual({ kind: 'every', period: 3, bytes: 40 });
    expect(parseFixture('geometric')).toEqual({ kind: 'geometric', period: 0, bytes: 64 });
    expect(() => parseFixture('every:3')).toThrow(/every takes <period>:<bytes>/);
    expect(() => parseFixture('memo:5')).toThrow(/memo takes no parameters/);
    expect(() => parseFixture('late:0:8')).toThrow(/late period must be positive/);
    expect(() => parseFixture('leaky')).toThrow(/unknown fixture 'leaky'; accepted: none, object, list, double, double100, malloc:<bytes>/);
  });
});
