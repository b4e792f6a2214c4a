// Operating characteristics of the layer verdict: synthetic families of series whose truth is known — a leak
// whose last regime grows above the floor, or none — drawn with seeded noise, judged by analyseLayer, and counted:
// how often a non-leak is called a leak, a leak no-leak, and how often each is decided right. The families cover
// what the model must hold under: onset anywhere in the run, growth that stops anywhere, staircases, noise levels,
// a wander with memory (AR(1)), a GC sawtooth, page granularity, a sparse wobble. The tests assert the rates
// (operating.test.ts); `npm run bench:verdict` prints them.
import { LAYERS, type Decision, type Layer, type Sample } from '@leakbench/core';
import { analyseLayer } from './layer.js';
import type { VerdictOptions } from './options.js';

export interface Family {
  name: string;
  /** What the last regime does: grows above the floor (leak) or not (no-leak). */
  truth: 'leak' | 'no-leak';
  /**
   * False for a family whose series cannot be decided right from what they show (a GC sawtooth larger than any
   * leak, a warm-up still levelling off): only a wrong decision counts against it.
   */
  decidable?: boolean;
  layer: Layer;
  /** Iterations (the series has iterations 0…n, the first `warmup` of them warm-up). */
  n: number;
  warmup: number;
  /** The layer's value at iteration i, with the trial's random source. */
  value: (i: number, r: Random) => number;
  /** The confidence it is judged at, when not the fixed run's (a sequential run's last look: 0.9998). */
  confidence?: number;
}

export interface Random {
  uniform(): number;
  gauss(): number;
}

/** Seeded PRNG (mulberry32) with Gaussian draws (Box–Muller): the same trials on every machine. */
export function random(seed: number): Random {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform, gauss: () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** One layer's series as samples (every other layer null, so only it is judged). */
export function familySamples(f: Family, seed: number): Sample[] {
  const r = random(seed);
  const nulls = Object.fromEntries(LAYERS.map((l) => [l, null]));
  return Array.from({ length: f.n + 1 }, (_, i) => ({
    ...nulls,
    i,
    phase: i === 0 ? 'baseline' : i <= f.warmup ? 'warmup' : 'measure',
    iterNs: null,
    tMs: i,
    gcMinor: 0,
    gcMajor: 0,
    gcIncremental: 0,
    gcWeakCallbacks: null,
    gcPauseNs: 0,
    maxRssBytes: 0,
    heapTotalBytes: 0,
    externalBytes: 0,
    [f.layer]: Math.round(1e7 + f.value(i, r)),
  })) as unknown as Sample[];
}

export interface Characteristics {
  family: string;
  truth: Family['truth'];
  trials: number;
  leak: number;
  noLeak: number;
  inconclusive: number;
  /** Wrong decisions: a leak called no-leak, or a non-leak called leak (share of trials). */
  wrongRate: number;
  /** Right decisions (share of trials); for a family that cannot be decided, the trials not decided wrong. */
  power: number;
}

/** Judges `trials` seeded draws of a family. */
export function characteristics(f: Family, trials: number, options: Partial<VerdictOptions> = {}, firstSeed = 1): Characteristics {
  const counts: Record<Decision, number> = { leak: 0, 'no-leak': 0, inconclusive: 0 };
  for (let t = 0; t < trials; t++) {
    const v = analyseLayer(familySamples(f, firstSeed + t), f.layer, { warmup: f.warmup, ...(f.confidence ? { confidence: f.confidence } : {}), ...options });
    counts[v?.decision ?? 'inconclusive']++;
  }
  const wrong = f.truth === 'leak' ? counts['no-leak'] : counts.leak;
  // A family that cannot be decided right has no power to measure: right means not wrong there.
  const right = f.truth === 'leak' ? counts.leak : counts['no-leak'];
  const power = f.decidable === false ? (trials - wrong) / trials : right / trials;
  return { family: f.name, truth: f.truth, trials, leak: counts.leak, noLeak: counts['no-leak'], inconclusive: counts.inconclusive, wrongRate: wrong / trials, power };
}

/** AR(1) noise with coefficient φ and innovation σ, kept per trial (the closure holds the state). */
const ar1 = (phi: number, sigma: number) => {
  let state = 0;
  let last = -1;
  return (i: number, r: Random) => {
    if (i !== last + 1) state = 0; // a new trial starts at i = 0
    last = i;
    state = phi * state + sigma * r.gauss();
    return state;
  };
};

const stepsOf = (i: number, every: number, bytes: number, from = 0) => (i > from ? Math.floor((i - from) / every) * bytes : 0);

/**
 * The families (500 iterations, warm-up 20, floor 8 B/iteration unless said). Leaks grow at 16–64 B/iteration in
 * their last regime for at least 50 iterations; non-leaks are flat in their last regime for at least 300.
 */
export function families(): Family[] {
  const n = 500;
  const warmup = 20;
  const exact = 'moduleHeapBytes' as const;
  const noisy = 'allocatorBytes' as const;
  const out: Family[] = [];
  // Steady leaks under noise.
  for (const [rate, sigma] of [[16, 0], [16, 16], [32, 200], [64, 1000]] as const) {
    out.push({ name: `steady ${rate} B/iter, noise σ ${sigma} B`, truth: 'leak', layer: sigma ? noisy : exact, n, warmup, value: (i, r) => rate * i + sigma * r.gauss() });
  }
  // Late onsets anywhere from 30 % to 90 % of the run.
  for (const at of [0.3, 0.5, 0.7, 0.84, 0.9]) {
    const onset = Math.round(at * n);
    out.push({ name: `onset at ${Math.round(at * 100)} %, 64 B/iter, σ 16 B`, truth: 'leak', layer: noisy, n, warmup, value: (i, r) => (i > onset ? 64 * (i - onset) : 0) + 16 * r.gauss() });
  }
  // Growth that stops (a cache that fills) early enough that 300 flat iterations follow, exact and noisy.
  for (const [stop, sigma] of [[64, 0], [150, 16], [200, 200]] as const) {
    out.push({ name: `stops at ${stop}, 1 kB/iter before, σ ${sigma} B`, truth: 'no-leak', layer: sigma ? noisy : exact, n, warmup, value: (i, r) => Math.min(i, stop) * 1024 + sigma * r.gauss() });
  }
  // Staircases: a block every k iterations.
  for (const [every, bytes] of [[10, 256], [50, 4096]] as const) {
    out.push({ name: `a ${bytes} B block every ${every} iterations`, truth: 'leak', layer: exact, n, warmup, value: (i) => stepsOf(i, every, bytes) });
  }
  // A staircase that starts late.
  out.push({ name: 'a 256 B block every 10 iterations from 70 %', truth: 'leak', layer: exact, n, warmup, value: (i) => stepsOf(i, 10, 256, 350) });
  // No growth: white noise at several levels, a sparse wobble, one-time steps.
  for (const sigma of [0, 16, 500]) out.push({ name: `flat, noise σ ${sigma} B`, truth: 'no-leak', layer: sigma ? noisy : exact, n, warmup, value: (_, r) => sigma * r.gauss() });
  out.push({ name: 'flat, ±16 B wobble now and then', truth: 'no-leak', layer: exact, n, warmup, value: (_, r) => (r.uniform() < 0.1 ? 16 * Math.sign(r.uniform() - 0.5) : 0) });
  out.push({ name: 'one 2 kB step at 100, flat after', truth: 'no-leak', layer: exact, n, warmup, value: (i) => (i >= 100 ? 2048 : 0) });
  out.push({ name: 'one 7.3 kB step at 520 under σ 150 B, flat after (1500 iterations)', truth: 'no-leak', layer: noisy, n: 1500, warmup, value: (i, r) => (i > 520 ? 7344 : 0) + 150 * r.gauss() });
  // A wander with memory: AR(1), φ = 0.9, without and with a leak.
  out.push({ name: 'flat, AR(1) φ 0.9 wander σ 100 B', truth: 'no-leak', layer: noisy, n, warmup, value: ar1(0.9, 100) });
  out.push({ name: 'steady 32 B/iter, AR(1) φ 0.9 wander σ 100 B', truth: 'leak', layer: noisy, n, warmup, value: ((w) => (i: number, r: Random) => 32 * i + w(i, r))(ar1(0.9, 100)) });
  // A GC sawtooth (no GC before samples): garbage of 8 kB per iteration collected every 12 iterations.
  const saw = (i: number, r: Random) => (i % 12) * 8192 + 64 * r.gauss();
  out.push({ name: 'GC sawtooth (8 kB garbage/iter, collected every 12)', truth: 'no-leak', decidable: false, layer: 'heapUsedBytes', n, warmup, value: saw });
  out.push({ name: 'GC sawtooth with a 64 B/iter leak', truth: 'leak', layer: 'heapUsedBytes', n, warmup, value: (i, r) => 64 * i + saw(i, r) });
  // Page granularity (floor 256 B/iteration): 1 kB/iteration in 4 kB pages; pages faulted in once, then none.
  out.push({ name: 'RSS: 1 kB/iter in 4 kB pages', truth: 'leak', layer: 'rssBytes', n, warmup, value: (i) => Math.floor(i / 4) * 4096 });
  out.push({ name: 'RSS: 40 pages faulted in by 150, then none', truth: 'no-leak', layer: 'rssBytes', n, warmup, value: (i) => Math.floor(Math.min(i, 150) / 3.75) * 4096 });
  // Short runs, where what a family shows is least.
  out.push({ name: 'a 256 B block every 10 iterations, 70 iterations', truth: 'leak', layer: exact, n: 70, warmup, value: (i) => stepsOf(i, 10, 256) });
  out.push({ name: 'a young process: 2 page bursts, at 3 and 5, then none (10 iterations)', truth: 'no-leak', decidable: false, layer: 'rssBytes', n: 10, warmup: 2, value: (i) => (i >= 3 ? 204_800 : 0) + (i >= 5 ? 942_080 : 0) });
  out.push({ name: 'a young process: 3 page bursts by iteration 5, then none (20 iterations)', truth: 'no-leak', decidable: false, layer: 'rssBytes', n: 20, warmup: 2, value: (i) => (i >= 3 ? 524_288 : 0) + (i >= 4 ? 8192 : 0) + (i >= 5 ? 2_300_000 : 0) });
  // RSS of a clean WASM cell under CPU load (measured: a CI machine running two other jobs): flat, then late page
  // bursts of V8's own (its background compiler's), and a burst at the last sample that nothing shows held yet.
  out.push({ name: 'RSS: late page bursts (41, 6, 5 pages), one more at the last sample', truth: 'no-leak', decidable: false, layer: 'rssBytes', n, warmup, value: (i) => 4096 * ((i >= 440 ? 41 : 0) + (i >= 477 ? 6 : 0) + (i >= 479 ? 5 : 0) + (i >= n ? 16 : 0)) });
  // A vector whose capacity doubles (64 B a iteration used): steps of 2, 4, 8, 16 kB ever further apart.
  out.push({ name: 'a vector doubling its capacity, 64 B/iter used', truth: 'leak', layer: exact, n, warmup, value: (i) => 64 * 2 ** Math.ceil(Math.log2(Math.max(i, 32))) });
  // A store that grows by ×1.5 reallocations (a JS array's: 12 B a iteration used, its capacity from 256 B), alone and
  // beside a one-time 16 B allocation somewhere in iterations 20–60: steps ever further apart and ever larger.
  const store = (i: number) => {
    let capacity = 256;
    while (12 * i > capacity) capacity = Math.floor(capacity * 1.5);
    return capacity;
  };
  out.push({ name: 'a store growing by ×1.5 reallocations, 12 B/iter used', truth: 'leak', layer: exact, n, warmup, value: store });
  out.push({
    name: 'a store growing by ×1.5 reallocations beside a one-time 16 B block',
    truth: 'leak',
    layer: exact,
    n,
    warmup,
    value: ((at: number[]) => (i: number, r: Random) => {
      if (i === 0) at[0] = 20 + Math.floor(r.uniform() * 40);
      return store(i) + (i >= at[0]! ? 16 : 0);
    })([0]),
  });
  // The same store in a stock JS heap (measured: a js-array cell, JIT on): excursions of 65–90 kB, one or two samples
  // up, four times a run, its capacity from 256 B when the store starts (iterations 0–60). Judged at a look (340)
  // and at the end of a run.
  const stock = (length: number) =>
    ((trial: { from: number; up: Map<number, number> }) => (i: number, r: Random) => {
      if (i === 0) {
        trial.from = Math.floor(r.uniform() * 60);
        trial.up = new Map();
        for (let k = 0; k < 4; k++) {
          const at = 40 + Math.floor(r.uniform() * (length - 40));
          const bytes = 65_000 + Math.floor(r.uniform() * 25_000);
          for (let s = 0; s < 1 + Math.floor(r.uniform() * 2); s++) trial.up.set(at + s, bytes);
        }
      }
      return store(Math.max(0, i - trial.from)) + (trial.up.get(i) ?? 0);
    })({ from: 0, up: new Map() });
  // Its 0.4–6.5 kB steps are within the tolerance the excursions set: it is not decided either way in most trials.
  out.push({ name: 'a ×1.5 store among a stock JS heap\'s 65–90 kB excursions, 340 iterations', truth: 'leak', decidable: false, layer: 'heapUsedBytes', n: 340, warmup, value: stock(340) });
  out.push({ name: 'a ×1.5 store among a stock JS heap\'s 65–90 kB excursions', truth: 'leak', decidable: false, layer: 'heapUsedBytes', n, warmup, value: stock(n) });
  // Warm-ups that level off: never a leak (still growing at the end, they are not decided either way).
  const jit = [30, 45, 70, 110, 170, 260];
  for (const length of [300, n]) {
    out.push({ name: `steps of 8 kB ever further apart (a JIT warming up), ${length} iterations`, truth: 'no-leak', decidable: false, layer: 'heapUsedBytes', n: length, warmup, value: (i) => 8192 * jit.filter((t) => i >= t).length });
  }
  out.push({ name: 'a warm-up levelling off (200 kB, time constant 12), 40 iterations', truth: 'no-leak', decidable: false, layer: noisy, n: 40, warmup: 2, value: (i, r) => 200_000 * (1 - Math.exp(-i / 12)) + 50 * r.gauss() });
  // An exact layer that grows by a block every iteration with an extra chunk in some (a stock process's module heap:
  // 72 B, +16 B in ~1 in 6 — measured), the extras ending a few samples before the end, judged at a sequential
  // run's last look: a change of rate the scan finds, too close to the end for the look's interval.
  const extras = (until: number) => ((trial: { up: number; last: number }) => (i: number, r: Random) => {
    if (i <= trial.last) trial.up = 0; // a new trial starts at i = 0
    trial.last = i;
    if (i < until && r.uniform() < 1 / 6) trial.up += 16;
    return 72 * i + trial.up;
  })({ up: 0, last: Infinity });
  out.push({ name: 'a block every iteration, 16 B extras in 1 of 6 until 7 before the end, at a last look', truth: 'leak', layer: exact, n, warmup, value: extras(n - 7), confidence: 0.9998 });
  // A cache that fills, under glibc's sparse wobble (dips of 144–704 B now and then, given back).
  out.push({ name: 'fills to 64 kB by 64 under a sparse 144–704 B wobble, 300 iterations', truth: 'no-leak', layer: noisy, n: 300, warmup, value: (i, r) => Math.min(i, 64) * 1024 - (r.uniform() < 0.08 ? 144 + Math.floor(r.uniform() * 36) * 16 : 0) });
  return out;
}
