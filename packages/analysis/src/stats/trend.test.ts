// Statistics on synthetic series with known slope, noise, steps and warm-up.
import { describe, expect, it } from 'vitest';
import { detectWarmupEnd, mannKendall, reduceSeries, theilSen } from './trend.js';
import { rng } from '../../test/random.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('theilSen', () => {
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

describe('detectWarmupEnd', () => {
  it('finds the end of a warm-up ramp followed by a flat series', () => {
    const r = rng(6);
    const y = range(300).map((i) => (i < 40 ? i * 1000 : 40_000) + 50 * r.gauss());
    const end = detectWarmupEnd(y, 5);
    expect(end).toBeGreaterThanOrEqual(38);
    expect(end).toBeLessThan(80);
  });

  it('does not cut a genuine constant-slope leak', () => {
    const r = rng(7);
    const y = range(300).map((i) => 32 * i + 100 * r.gauss());
    expect(detectWarmupEnd(y, 5)).toBe(5);
  });

  it('keeps the explicit warm-up as the minimum', () => {
    expect(detectWarmupEnd(range(100).map(() => 1), 20)).toBe(20);
  });
});
