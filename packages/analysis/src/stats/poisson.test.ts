// Garwood's Poisson interval and Student's t quantile against tabled values.
import { describe, expect, it } from 'vitest';
import { poissonInterval, tQuantile } from './poisson.js';
import { normalQuantile } from './trend.js';

describe('poissonInterval', () => {
  it("matches Garwood's table at 95 %", () => {
    expect(poissonInterval(0).high).toBeCloseTo(3.689, 3);
    expect(poissonInterval(1)).toMatchObject({ low: expect.closeTo(0.0253, 4), high: expect.closeTo(5.572, 3) });
    expect(poissonInterval(10)).toMatchObject({ low: expect.closeTo(4.795, 3), high: expect.closeTo(18.39, 2) });
  });
});

describe('normalQuantile', () => {
  it('matches the normal table', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 6);
  });
});

describe('tQuantile', () => {
  it('matches the t table', () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 3);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 3);
    expect(tQuantile(0.975, 5)).toBeCloseTo(2.571, 2);
    expect(tQuantile(0.975, 30)).toBeCloseTo(2.042, 3);
  });
});
