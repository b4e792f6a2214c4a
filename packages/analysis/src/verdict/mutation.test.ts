// The mutation check: every part of the layer model is load-bearing. Each part switched off in turn must make a
// family of known truth (families.ts) decided wrong, or right in fewer than 85 % of its trials — where with every
// part on, operating.test.ts holds every family to no wrong decision and 85 % right. A part no family needs is
// removed, not kept. (Measured with 10 trials a family over every family: each part below fails at least the
// families named here, and some others.)
import { describe, expect, it } from 'vitest';
import { characteristics, families } from './families.js';
import { MODEL_PARTS, withoutParts, type ModelPart } from './regime.js';

const EVIDENCE: Record<ModelPart, string[]> = {
  'flat-tail': ['one 7.3 kB step at 520 under σ 150 B, flat after (1500 iterations)'],
  'steps-stopped': ['a young process: 3 page bursts by iteration 5, then none (20 iterations)'],
  'rate-change': ['onset at 70 %, 64 B/iter, σ 16 B', 'onset at 90 %, 64 B/iter, σ 16 B'],
  memory: ['steady 32 B/iter, AR(1) φ 0.9 wander σ 100 B'],
  granularity: ['a 256 B block every 10 iterations', 'a vector doubling its capacity, 64 B/iter used'],
  'step-count': ['steps of 8 kB ever further apart (a JIT warming up), 300 iterations'],
  renewal: ['a 256 B block every 10 iterations, 70 iterations'],
  slowing: ['steps of 8 kB ever further apart (a JIT warming up), 300 iterations'],
  unconfirmed: ['RSS: late page bursts (41, 6, 5 pages), one more at the last sample'],
  'cut-resolution': ["a ×1.5 store among a stock JS heap's 65–90 kB excursions, 340 iterations"],
  'regime-length': ['a block every iteration, 16 B extras in 1 of 6 until 7 before the end, at a last look'],
};

describe('mutation check', () => {
  it('names evidence for every part of the model', () => {
    expect(Object.keys(EVIDENCE).sort()).toEqual([...MODEL_PARTS].sort());
    const names = new Set(families().map((f) => f.name));
    for (const list of Object.values(EVIDENCE)) for (const name of list) expect(names.has(name), name).toBe(true);
  });

  it.each(MODEL_PARTS.map((p) => [p] as const))('without %s, a family it holds fails', (part) => {
    const failed = withoutParts([part], () =>
      families()
        .filter((f) => EVIDENCE[part].includes(f.name))
        .map((f) => characteristics(f, 20))
        .filter((c) => c.wrongRate > 0 || c.power < 0.85),
    );
    expect(failed.map((c) => c.family)).not.toEqual([]);
  }, 60_000);
});
