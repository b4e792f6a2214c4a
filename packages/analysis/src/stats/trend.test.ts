// Statistics on synthetic series with known slope, noise, steps and warm-up.
import { describe, expect, it } from 'vitest';
import { autocorrelationFactor, mannKendall, normalQuantile, reduceSeries, senMinSamples, SLOPE_BRACKET, theilSen } from './trend.js';
import { rng } from '../../test/random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * Theil–Sen as defined (the reference): every pairwise slope, sorted; the median and Sen's ranks read off, the
 * interval's ends written as theilSen writes them (with no serial correlation counted).
 */
function sortedTheilSen(x: number[], y: number[], confidence: number) {
  const slopes: number[] = [];
  for (let i = 0; i < x.length - 1; i++) for (let j = i + 1; j < x.length; j++) if (x[j]! - x[i]! !== 0) slopes.push((y[j]! - y[i]!) / (x[j]! - x[i]!));
  const s = Float64Array.from(slopes).sort();
  const m = s.length;
  const n = y.length;
  const slope = m % 2 ? s[m >> 1]! : (s[m / 2 - 1]! + s[m / 2]!) / 2;
  const counts = new Map<number, number>();
  for (const v of y) counts.set(v, (counts.get(v) ?? 0) + 1);
  const ties = [...counts.values()].reduce((a, t) => a + t * (t - 1) * (2 * t + 5), 0);
  const c = normalQuantile(1 - (1 - confidence) / 2) * Math.sqrt(Math.max((n * (n - 1) * (2 * n + 5) - ties) / 18, 0));
  const lo = Math.floor((m - c) / 2) - 1;
  const hi = Math.ceil((m + c) / 2);
  const low = lo >= 0 ? s[lo]! : -Infinity;
  const high = hi < m ? s[hi]! : Infinity;
  return { slope, ciLow: slope - 1 * (slope - low), ciHigh: slope + 1 * (high - slope) };
}

describe('theilSen', () => {
  it('gives exactly the order statistics of a full sort of the pairwise slopes, on every path (all pairs, a bracket, a missed bracket)', () => {
    const r = rng(7);
    const shapes: [string, (i: number) => number][] = [
      ['noise', (i) => 1e6 + 16 * i + 200 * r.gauss()],
      ['an exact line', (i) => 808 * i],
      ['integer steps with ties', (i) => Math.floor(i / 3) * 4096 + (r.uniform() < 0.05 ? 4096 : 0)],
      ['a flat series with rare spikes', (i) => (r.uniform() < 0.02 ? 1e5 : 0)],
      ['a heavy tail', (i) => 8 * i + (r.uniform() < 0.3 ? 1e4 * r.gauss() : 0)],
      ['a staircase of page steps', (i) => Math.floor((98_360 * i) / 4096) * 4096],
      // Block medians are halves; a layer may fall; a process's RSS is gigabytes.
      ['halves falling through zero', (i) => 5e4 - 0.5 * i * 171 + (r.uniform() < 0.1 ? 0.5 : 0)],
      ['gigabytes with a few bytes of growth', (i) => 3 * 2 ** 31 + 24 * i + Math.round(64 * r.gauss())],
    ];
    for (const n of [40, 300, 700, 1500]) {
      for (const [name, f] of shapes) {
        const x = range(n);
        // Repeated x (two samples of one iteration) leave their pairs out.
        if (name === 'a heavy tail') x[5] = x[4]!;
        const y = x.map(f);
        for (const confidence of [0.95, 0.9998]) {
          const expected = sortedTheilSen(x, y, confidence);
          // The bracket as set, one with no margin (it may miss), one placed inside out (it always misses): the same values.
          for (const bracket of [{ sample: 4096, sigmas: 5 }, { sample: 64, sigmas: 0 }, { sample: 64, sigmas: -3 }]) {
            Object.assign(SLOPE_BRACKET, bracket);
            try {
              const fit = theilSen(x, y, confidence);
              expect({ slope: fit.slope, ciLow: fit.ciLow, ciHigh: fit.ciHigh }, `${name}, n ${n}, ${confidence}, ${JSON.stringify(bracket)}`).toEqual(expected);
            } finally {
              Object.assign(SLOPE_BRACKET, { sample: 4096, sigmas: 5 });
            }
          }
        }
      }
    }
  });

  it('recovers a known slope under Gaussian noise, and its CI covers it', () => {
    const r = rng(1);
    const x = range(500);
    const y = x.map((i) => 1e6 + 16 * i + 200 * r.gauss());
    const fit = theilSen(x, y);
    expect(fit.slope).toBeGreaterThan(14);
    expect(fit.slope).toBeLessThan(18);
    expect(fit.ciLow).toBeLessThan(16);
    expect(fit.ciHigh).toBeGreaterThan(16);
    expect(fit.ciHigh - fit.ciLow).toBeLessThan(6);
  });

  it('has a bounded interval from senMinSamples points on, never below', () => {
    for (const confidence of [0.9, 0.95, 0.99, 0.9998]) {
      const need = senMinSamples(confidence);
      const fit = (n: number) => theilSen(range(n), range(n).map((i) => 8 * i + (i % 3)), confidence);
      expect(Number.isFinite(fit(need).ciLow) && Number.isFinite(fit(need).ciHigh), `${confidence}: ${need}`).toBe(true);
      expect(Number.isFinite(fit(need - 1).ciLow), `${confidence}: ${need - 1}`).toBe(false);
    }
    expect([0.95, 0.99, 0.9998].map(senMinSamples)).toEqual([6, 7, 10]);
  });

  it('ignores isolated spikes (outliers)', () => {
    const x = range(200);
    const y = x.map((i) => 32 * i + (i % 17 === 0 ? 1e6 : 0));
    expect(theilSen(x, y).slope).toBeCloseTo(32, 6);
  });

  it('recovers the average slope of a page-stepped series (4096 B every 8 iterations = 512 B/iteration)', () => {
    const x = range(400);
    const y = x.map((i) => Math.floor(i / 8) * 4096);
    const fit = theilSen(x, y);
    expect(fit.ciLow).toBeLessThanOrEqual(512);
    expect(fit.ciHigh).toBeGreaterThanOrEqual(512);
    expect(Math.abs(fit.slope - 512)).toBeLessThan(60);
  });

  it('gives a CI that widens with noise and narrows with length', () => {
    const r = rng(2);
    const width = (n: number, sd: number) => {
      const x = range(n);
      const f = theilSen(x, x.map((i) => 8 * i + sd * r.gauss()));
      return f.ciHigh - f.ciLow;
    };
    expect(width(100, 1000)).toBeGreaterThan(width(100, 100));
    expect(width(400, 500)).toBeLessThan(width(50, 500));
  });

  it('handles 50 000 points through block medians and still finds the slope', () => {
    const r = rng(3);
    const x = range(50_000);
    const y = x.map((i) => 808 * i + 5000 * r.gauss());
    const fit = theilSen(x, y);
    expect(fit.slope).toBeGreaterThan(807);
    expect(fit.slope).toBeLessThan(809);
    expect(reduceSeries(x, y).x.length).toBeLessThanOrEqual(1500);
  });
});

describe('mannKendall', () => {
  it('finds a 16 B/iteration trend under 200 B noise in 500 points', () => {
    const r = rng(4);
    const y = range(500).map((i) => 16 * i + 200 * r.gauss());
    const mk = mannKendall(y);
    expect(mk.pValue).toBeLessThan(1e-6);
    expect(mk.z).toBeGreaterThan(0);
  });

  it('does not find a trend in pure noise', () => {
    const r = rng(5);
    const p = mannKendall(range(300).map(() => 1000 * r.gauss())).pValue;
    expect(p).toBeGreaterThan(0.01);
  });

  it('copes with ties: a flat series is no trend, and few steps give a reduced variance', () => {
    const flat = mannKendall(range(100).map(() => 4096));
    expect(flat.s).toBe(0);
    expect(flat.pValue).toBe(1);
    const steps = mannKendall(range(100).map((i) => (i < 50 ? 0 : 4096)));
    const n = 100;
    expect(steps.varS).toBeLessThan((n * (n - 1) * (2 * n + 5)) / 18); // tie correction applied
    expect(steps.s).toBe(50 * 50);
  });
});

describe('autocorrelationFactor', () => {
  it('is about 1 for white noise and large for a wander with memory (AR(1), φ = 0.9)', () => {
    const r = rng(5);
    const white = range(400).map(() => r.gauss());
    expect(autocorrelationFactor(white)).toBeLessThan(1.5);
    let v = 0;
    const ar = range(400).map(() => (v = 0.9 * v + r.gauss()));
    // Theory for an AR(1) series: (1 + φ) / (1 − φ) = 19; ranks and the lag cut-off take it near that.
    expect(autocorrelationFactor(ar)).toBeGreaterThan(8);
    expect(autocorrelationFactor(range(50).map(() => 7))).toBe(1); // all tied: nothing to correct
  });

  it('widens Sen’s interval so that it covers the true slope of a trend under AR(1) noise', () => {
    let covered = 0;
    let coveredPlain = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const r = rng(seed);
      let v = 0;
      const x = range(200);
      const y = x.map((i) => 5 * i + 400 * (v = 0.9 * v + r.gauss()));
      const plain = theilSen(x, y);
      const resid = y.map((u, i) => u - (plain.intercept + plain.slope * i));
      const wide = theilSen(x, y, 0.95, autocorrelationFactor(resid));
      if (wide.ciLow <= 5 && wide.ciHigh >= 5) covered++;
      if (plain.ciLow <= 5 && plain.ciHigh >= 5) coveredPlain++;
    }
    expect(covered).toBeGreaterThanOrEqual(36); // ≥ 90 % of 40 at a nominal 95 %
    expect(coveredPlain).toBeLessThan(covered); // plain Sen is too narrow here
  });
});
