// Step 0 — one series from a cell's segments. A recycled cell (--recycle) or one continued after an interruption
// (run --resume) runs in several processes (harness cell.ts CellPart). Each later process starts from nothing —
// what the earlier ones leaked went with them, their one-time costs come again — and runs the warm-up again,
// uncounted, at the iteration where the earlier one stopped. The verdict judges the cell as if one process had
// run every iteration: each later segment's counted samples, every layer shifted so that the segment's last
// warm-up sample continues the series' last sample. The change from that warm-up sample to the segment's first
// counted one is a real iteration in a warm process, so a leak's rate carries over the joins; the report shows the
// series as recorded (each segment from its own start).
// Page-granular layers (RSS, VMS, …) are not joined: a fresh process faults its pages in again for hundreds of
// iterations, which joined over 100 restarts reads as steady growth (a recycled `none` cell's RSS: 276 B/iteration).
// They are judged on the longest-lived process alone (longestProcess), as a run of that length would be.
import { lastIteration, LAYERS, type Sample } from '@leakbench/core';

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

/** The last sample that satisfies `pred` (searched from the end). */
function lastWhere(xs: Sample[], pred: (s: Sample) => boolean): Sample | undefined {
  for (let k = xs.length - 1; k >= 0; k--) if (pred(xs[k]!)) return xs[k];
  return undefined;
}

/** A later process's last warm-up sample (where it joins the series) and its counted samples. */
const ownPart = (seg: Segment) => ({ anchor: lastWhere(seg.samples, (s) => !counted(s)), rest: seg.samples.filter(counted) });

/** The cell's series as one process's (unchanged when it ran in one). */
export function stitchSegments(samples: Sample[]): Sample[] {
  if (!samples.some((s) => s.segment)) return samples;
  const [first, ...later] = segmentsOf(samples);
  const out = [...first!.samples];
  for (const seg of later) {
    const { anchor, rest } = ownPart(seg);
    const prev = lastWhere(out, (s) => s.phase !== 'settle');
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

/**
 * The longest-lived process of a cell run in several (the first of equal ones), as a series of its own: the first
 * keeps its warm-up; a later one starts at its last warm-up sample (at iteration `from`, which is then the warm-up
 * to give the verdict), its baseline and earlier warm-up samples dropped. Null for a cell run in one process.
 */
export function longestProcess(samples: Sample[]): { samples: Sample[]; warmup: number | null; from: number; to: number } | null {
  const segments = segmentsOf(samples);
  if (segments.length < 2) return null;
  const life = (g: Segment) => lastIteration(g.samples) - g.from;
  const longest = segments.reduce((best, g) => (life(g) > life(best) ? g : best));
  const to = lastIteration(longest.samples);
  if (longest.segment === 0) return { samples: longest.samples, warmup: null, from: longest.from, to };
  const { anchor, rest } = ownPart(longest);
  if (!anchor) return null;
  return { samples: [anchor, ...rest], warmup: longest.from, from: longest.from, to };
}
