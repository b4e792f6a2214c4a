// Operating characteristics of the layer verdict on synthetic families of known truth (families.ts): no family
// may be decided wrong — a leak whose last regime grows above the floor called no-leak, or a series flat in its
// last regime called leak — in any of its trials, and each is decided right in most of them. 40 trials a family
// keep this file to seconds; `npm run bench:verdict` measures 300 a family and prints the rates.
import { describe, expect, it } from 'vitest';
import { characteristics, families } from './families.js';

const TRIALS = 40;

describe('operating characteristics', () => {
  it.each(families().map((f) => [f.name, f] as const))('%s: never decided wrong, decided right in most trials', (_, f) => {
    const c = characteristics(f, TRIALS);
    const summary = `leak ${c.leak}, no-leak ${c.noLeak}, inconclusive ${c.inconclusive}`;
    expect(c.wrongRate, summary).toBe(0);
    expect(c.power, summary).toBeGreaterThanOrEqual(0.85);
  }, 60_000);
});
