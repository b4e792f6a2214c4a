// Reduces long series for drawing without hiding steps or extremes: per bucket of consecutive points it keeps
// the first, the minimum, the maximum and the last (in x order), so every step edge and every peak survives.
export interface Point {
  x: number;
  y: number;
}

export function decimate(points: Point[], buckets = 1000): Point[] {
  if (points.length <= buckets * 4) return points;
  const size = Math.ceil(points.length / buckets);
  const out: Point[] = [];
  for (let start = 0; start < points.length; start += size) {
    const end = Math.min(points.length, start + size);
    let lo = start;
    let hi = start;
    for (let k = start; k < end; k++) {
      if (points[k]!.y < points[lo]!.y) lo = k;
      if (points[k]!.y > points[hi]!.y) hi = k;
    }
    const keep = [...new Set([start, lo, hi, end - 1])].sort((a, b) => a - b);
    for (const k of keep) out.push(points[k]!);
  }
  return out;
}
