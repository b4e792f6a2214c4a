// Both backends against an independent reference integration (fixed-step RK4 in TypeScript, not CVODE).
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFixture, type Backend } from '@leakbench/core';
import { load as loadNative } from '@leakbench/native-cvode';
import { load as loadWasm } from '@leakbench/wasm-cvode';
import { hh1952, integrateReference, lr1991, type RefModel } from './reference/models.js';

// Stated tolerance over 200 ms at every 1 ms log point: |ΔV| ≤ 1 mV at every point, RMS(ΔV) ≤ 0.1 mV; gates and
// Cai within 2e-3. CVODE runs at rtol 1e-6 / atol 1e-8, RK4 at dt = 1 µs, both stopping on stimulus edges, so the
// remaining differences sit on the upstrokes (≈ 400 mV/ms), where a 1 µs timing shift is ≈ 0.4 mV.
const DURATION = 200;
const references: Record<string, number[][]> = {};
const backends: Record<string, Backend> = {};

beforeAll(async () => {
  backends.native = await loadNative();
  backends.wasm = await loadWasm();
  for (const m of [hh1952, lr1991] as RefModel[]) references[m.id] = integrateReference(m, DURATION, 1);
});

describe.each(['native', 'wasm'])('%s vs reference RK4', (backend) => {
  it.each(['hh1952', 'lr1991'])('%s', (model) => {
    const r = backends[backend]!.simulate({ model, durationMs: DURATION, logIntervalMs: 1, fixture: parseFixture('none') });
    const ref = references[model]!;
    const cols = r.stateNames.length + 1;
    expect(r.rows).toBe(ref.length);
    let sq = 0;
    for (let row = 0; row < r.rows; row++) {
      expect(r.trace[row * cols]).toBeCloseTo(ref[row]![0]!, 9);
      const dv = Math.abs(r.trace[row * cols + 1]! - ref[row]![1]!);
      expect(dv, `V at t=${ref[row]![0]}`).toBeLessThan(1);
      sq += dv * dv;
      for (let k = 2; k < cols; k++) expect(Math.abs(r.trace[row * cols + k]! - ref[row]![k]!), `${r.stateNames[k - 1]} at t=${ref[row]![0]}`).toBeLessThan(2e-3);
    }
    expect(Math.sqrt(sq / r.rows)).toBeLessThan(0.1);
    // The reference fires too (the comparison is not between two flat lines).
    expect(Math.max(...ref.map((x) => x[1]!))).toBeGreaterThan(20);
  });
});
