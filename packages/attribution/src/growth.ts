// The rule both attributions share (JS heap groups, C allocation sites): a site grows when its total grew in every
// interval between consecutive snapshots — growth that stopped, or started late, is not a site.

/** Growth per iteration in each interval between consecutive points (`values[k]` taken after `iterations[k]`). */
export function intervalRates(values: number[], iterations: number[]): number[] {
  return values.slice(1).map((v, k) => (v - values[k]!) / (iterations[k + 1]! - iterations[k]!));
}

export const grewInEveryInterval = (rates: number[]) => rates.length > 0 && rates.every((x) => x > 0);
