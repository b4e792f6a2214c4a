// Step 0 — one series from a cell's segments. A recycled cell (--recycle) or one continued after an interruption
// (run --resume) runs in several processes (harness cell.ts CellPart). Each later process starts from nothing —
// what the earlier ones leaked went with them, their one-time costs come again — and runs the warm-up again,
// uncounted, at the iteration where the earlier one stopped. The verdict judges the cell as if one process had
// run every iteration: each later segment's counted samples, every layer shifted so that the segment's last
// warm-up sample continues the series' last sample. The change from that warm-up sample to the segment's first
// counted one is a real iteration in a warm process, so a leak's rate carries over the joins; the report shows the
// series as recorded (each segment from its own start).
import { LAYERS, type Sample } from '@leakbench/core';

export interface Segment {
  segment: number;
  /** The iteration the segment's process started at (its baseline). */
  from: number;
  samples: Sample[];
}

/** The samples of each process of a cell, in order (one segment for a cell run in one process). */
export function segmentsOf(samples: Sample[]): Segment[] {
  const out: Segment[] = [];
  for (const s of samples) {
    const k = s.segment ?? 0;
    if (out.at(-1)?.segment !== k) out.push({ segment: k, from: s.i, samples: [] });
    out.at(-1)!.samples.push(s);
  }
  return out;
}

const counted = (s: Sample) => s.phase === 'measure' || s.phase === 'settle';

/** The cell's series as one process's (unchanged when it ran in one). */
export function stitchSegments(samples: Sample[]): Sample[] {
  if (!samples.some((s) => s.segment)) return samples;
  const [first, ...later] = segmentsOf(samples);
  const out = [...first!.samples];
  for (const seg of later) {
    const anchor = seg.samples.filter((s) => !counted(s)).at(-1);
    const rest = seg.samples.filter(counted);
    const prev = out.filter((s) => s.phase !== 'settle').at(-1);
    if (!anchor || !prev || rest.length === 0) continue; // a process that ended before it counted an iteration
    const shift: Partial<Record<(typeof LAYERS)[number], number>> = {};
    for (const layer of LAYERS) {
      const a = anchor[layer];
      const p = prev[layer];
      if (typeof a === 'number' && typeof p === 'number') shift[layer] = p - a;
    }
    for (const s of rest) {
      const moved: Sample = { ...s };
      for (const layer of LAYERS) {
        const v = s[layer];
        if (typeof v === 'number' && shift[layer] !== undefined) (moved as Record<string, unknown>)[layer] = v + shift[layer]!;
      }
      out.push(moved);
    }
  }
  return out;
}
