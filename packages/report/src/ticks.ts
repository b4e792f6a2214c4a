// Axis ticks for byte quantities at round values in the unit they print: one unit per axis (the one the largest
// magnitude prints in), ticks at 1/2/5 × 10^k of that unit, and as many decimals as the tick step needs — so an
// axis reads "56 MiB, 58 MiB, 60 MiB" or "57.228 MiB, 57.230 MiB", never three different labels that round alike.
import { tickStep, ticks } from 'd3-array';
import { byteUnit } from '@leakbench/core';

export interface AxisTicks {
  values: number[];
  format: (value: number) => string;
}

export function byteTicks(lo: number, hi: number, count = 5): AxisTicks {
  const unit = byteUnit(Math.max(Math.abs(lo), Math.abs(hi)));
  const a = lo / unit.size;
  const b = hi / unit.size;
  const step = a === b ? 1 : Math.abs(tickStep(a, b, count));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const values = (a === b ? [a] : ticks(a, b, count)).map((v) => v * unit.size);
  return { values, format: (v) => `${(v / unit.size).toFixed(decimals)} ${unit.name}` };
}
