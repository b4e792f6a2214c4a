// What the allocator really grows per leaked block — the truth calibration compares its estimates with.
import { findModel, parseFixture, type Backend } from '@leakbench/core';
import { median } from '@leakbench/analysis';

/**
 * Measured by the backend when it can (median of 21 measurements: for the C workload, in C through the shape's
 * own allocation path; for malloc by any backend with allocatorBlockGrowth), else, for malloc, the median single-call
 * change of the allocator counter with the fixture, minus the same without it (over `calls` calls each).
 */
export function measureTrueGrowth(backend: Backend, model: string, fixture: string, calls = 200): number | null {
  const f = parseFixture(fixture);
  // A backend that measures its shapes itself (the C workload does, through each shape's own allocation path).
  if (backend.fixtureGrowth) {
    const direct = Array.from({ length: 21 }, () => backend.fixtureGrowth!(f)).filter((x): x is number => x !== null && x >= 0);
    if (direct.length) return median(direct);
  }
  if (f.kind !== 'malloc') return null;
  // Exact when the backend can measure one block in C, with nothing else allocating in between.
  if (backend.allocatorBlockGrowth) {
    const direct = Array.from({ length: 21 }, () => backend.allocatorBlockGrowth!(f.bytes)).filter((x): x is number => x !== null && x >= 0);
    if (direct.length) return median(direct);
  }
  const m = findModel(backend.models(), model);
  const deltas = (fx: string) => {
    const opts = { model: m.id, durationMs: 5, logIntervalMs: 1, fixture: parseFixture(fx) };
    const out: number[] = [];
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let k = 0; k < calls; k++) {
      gc?.(); // frees the previous call's trace buffer, so the delta is the leaked block alone
      const a = backend.probe().allocatorBytes;
      backend.simulate(opts);
      gc?.();
      const b = backend.probe().allocatorBytes;
      if (a === null || b === null) return null;
      out.push(b - a);
    }
    return median(out);
  };
  const withLeak = deltas(fixture);
  const without = deltas('none');
  return withLeak === null || without === null ? null : withLeak - without;
}
