// Both backends run the same C workload: they simulate both models, agree with each other within a stated
// tolerance, and each fixture changes exactly the memory layer it should.
import { beforeAll, describe, expect, it } from 'vitest';
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { parseFixture, SimulationError, UsageError, type Backend, type SimulationResult } from '@leakbench/core';
import { load as loadNative } from '@leakbench/native-cvode';
import { load as loadWasm } from '@leakbench/wasm-cvode';

v8.setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const fullGc = () => {
  gc();
  gc();
};

const backends: Record<string, Backend> = {};
beforeAll(async () => {
  backends.native = await loadNative();
  backends.wasm = await loadWasm();
});

const simulate = (b: Backend, model: string, durationMs = 1000, fixture = 'none'): SimulationResult =>
  b.simulate({ model, durationMs, logIntervalMs: 1, fixture: parseFixture(fixture) });

/** Column k (0 = t) of a trace. */
const column = (r: SimulationResult, k: number) => Array.from({ length: r.rows }, (_, i) => r.trace[i * (r.stateNames.length + 1) + k]!);

describe.each(['native', 'wasm'])('%s backend', (id) => {
  it.each(['hh1952', 'lr1991'])('simulates %s for 1000 ms with solver statistics', (model) => {
    const r = simulate(backends[id]!, model);
    expect(r.rows).toBe(1001);
    expect(r.stats.finalTime).toBe(1000);
    expect(r.stats.steps).toBeGreaterThan(100);
    expect(r.stats.rhsEvals).toBeGreaterThanOrEqual(r.stats.steps);
    expect(r.stats.jacEvals).toBeGreaterThan(0);
    const v = column(r, 1);
    expect(Math.max(...v)).toBeGreaterThan(20); // at least one action potential overshoots
    expect(column(r, 0)[1000]).toBe(1000);
  });

  it('describes its build', () => {
    const info = backends[id]!.info();
    expect(info.backend).toBe(id);
    expect(info.sundialsVersion).toBe('6.4.1');
    expect(info.compilerVersion.length).toBeGreaterThan(0);
    if (id === 'wasm') expect(info.emccVersion).toMatch(/^\d+\.\d+\.\d+$/);
    else expect(info.emccVersion).toBeNull();
  });

  it('rejects bad options with errors naming what is accepted', () => {
    const b = backends[id]!;
    expect(() => b.simulate({ model: 'nope', durationMs: 10, logIntervalMs: 1, fixture: parseFixture('none') })).toThrow(/accepted: hh1952, lr1991/);
    expect(() => b.simulate({ model: 'hh1952', durationMs: 0, logIntervalMs: 1, fixture: parseFixture('none') })).toThrow(UsageError);
    expect(() => b.simulate({ model: 'hh1952', durationMs: -5, logIntervalMs: 1, fixture: parseFixture('none') })).toThrow(/duration/);
  });

  it('reports a CVODE failure with the flag name and the time reached', () => {
    let err: unknown;
    try {
      backends[id]!.simulate({ model: 'hh1952', durationMs: 100, logIntervalMs: 50, fixture: parseFixture('none'), maxSteps: 20 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SimulationError);
    const e = err as SimulationError;
    expect(e.flagName).toBe('CV_TOO_MUCH_WORK');
    expect(e.timeReached).toBeGreaterThan(0);
    expect(e.timeReached).toBeLessThan(100);
    expect(e.message).toMatch(/CV_TOO_MUCH_WORK.*t = /);
  });
});

describe('native vs wasm', () => {
  // Not bit-identical (different libm and compilers); stated tolerance: max |ΔV| ≤ 0.5 mV at every logged
  // time and gating variables and Cai within 5e-3, over 1000 ms with rtol 1e-6.
  it.each(['hh1952', 'lr1991'])('%s traces agree within tolerance', (model) => {
    const a = simulate(backends.native!, model);
    const b = simulate(backends.wasm!, model);
    for (let k = 1; k <= a.stateNames.length; k++) {
      const ca = column(a, k);
      const cb = column(b, k);
      const maxDiff = Math.max(...ca.map((x, i) => Math.abs(x - cb[i]!)));
      expect(maxDiff, `${a.stateNames[k - 1]}`).toBeLessThan(k === 1 ? 0.5 : 5e-3);
    }
  });
});

// Each fixture changes exactly the layer it should, over many iterations in one process.
describe.each(['native', 'wasm'])('%s fixtures', (id) => {
  const N = 5000;
  const STEP = 250;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  /**
   * Per-iteration growth of the JS heap (after forced GC) and of the allocator counter: the median of the
   * growth over successive blocks of STEP iterations, so one-time jumps (JIT code, free-list refills) that land
   * in one block do not count as per-iteration growth.
   */
  function growth(fixture: string) {
    const b = backends[id]!;
    const opts = { model: 'lr1991', durationMs: 20, logIntervalMs: 1, fixture: parseFixture(fixture) };
    for (let i = 0; i < 500; i++) b.simulate(opts); // warm up JIT and allocator free lists
    const heap: number[] = [];
    const alloc: number[] = [];
    const module: number[] = [];
    for (let done = 0; done <= N; done += STEP) {
      if (done > 0) for (let i = 0; i < STEP; i++) b.simulate(opts);
      fullGc();
      heap.push(process.memoryUsage().heapUsed);
      alloc.push(b.probe().allocatorBytes!);
      module.push(b.probe().moduleHeapBytes!);
    }
    const perIteration = (xs: number[]) => median(xs.slice(1).map((x, k) => (x - xs[k]!) / STEP));
    return { heap: perIteration(heap), alloc: perIteration(alloc), module: perIteration(module) };
  }

  it('none grows neither layer', () => {
    const g = growth('none');
    expect(Math.abs(g.heap)).toBeLessThan(8);
    expect(Math.abs(g.alloc)).toBeLessThan(id === 'wasm' ? 0.5 : 8);
    expect(g.module).toBe(0); // the module's own C heap is exact
  });

  it.each(['object', 'list'])('%s grows the JS heap, and releasing it returns the heap', (fixture) => {
    const b = backends[id]!;
    b.releaseRetained();
    const g = growth(fixture);
    expect(g.heap).toBeGreaterThan(16); // an empty object/array is ≥ 16 B in V8, plus its slot
    if (id === 'wasm') expect(Math.abs(g.alloc)).toBeLessThan(0.5); // WASM's C heap cannot see JS values
    // Natively a strong napi_ref is itself a Node-side malloc (reference record + global handle): the C
    // allocator grows too, by Node's bookkeeping only — never by the JS value's size times N.
    else expect(g.alloc).toBeLessThan(160);
    expect(g.module).toBe(0); // the module's own C heap does not move: the allocator growth above is Node's
    expect(b.retainedCount()).toBeGreaterThanOrEqual(N);
    fullGc();
    const before = process.memoryUsage().heapUsed;
    const released = b.releaseRetained();
    expect(released).toBeGreaterThanOrEqual(N);
    fullGc();
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(N * 16 * 0.9);
    expect(b.retainedCount()).toBe(0);
  });

  it.each([
    ['double', 8],
    ['double100', 800],
    ['malloc:4096', 4096],
  ] as const)('%s grows the allocator counter by at least its size and not the JS heap', (fixture, bytes) => {
    const g = growth(fixture);
    expect(g.alloc).toBeGreaterThanOrEqual(bytes);
    expect(g.alloc).toBeLessThan(bytes + 64); // chunk header and alignment only
    expect(Math.abs(g.heap)).toBeLessThan(8);
    // Exactly one block per iteration in the module's own heap, at its allocator chunk (glibc's or dlmalloc's):
    // the request, rounded to the allocator's granule, plus its header — natively now and then one 16 B granule
    // more (a reused free chunk too small to split: malloc(8) takes 32 or 48 B).
    expect(g.module).toBeGreaterThanOrEqual(bytes);
    expect(g.module).toBeLessThan(bytes + 40);
  });
});

// Over a whole run, not its median block: thousands of live blocks double the module heap's table of them (48 B of
// slots per block, in steps a median passes over), which the allocator counter must not count as the module's. In a
// process of its own (test/fixtures/allocator-growth.mjs): a test runner allocating beside it blurs a whole-run figure.
describe('native allocator counter over a whole run', () => {
  const HELPER = join(import.meta.dirname, 'fixtures/allocator-growth.mjs');
  it.each([
    ['double', 8],
    ['double100', 800],
    ['malloc:4096', 4096],
  ] as const)('%s grows it by its size, header and alignment only, over 10 000 leaked blocks', (fixture, bytes) => {
    const { perIteration } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', HELPER, fixture, '10000'], { encoding: 'utf8' })) as { perIteration: number };
    expect(perIteration).toBeGreaterThanOrEqual(bytes);
    expect(perIteration).toBeLessThan(bytes + 64);
  });
});
