// The report's view model: plain data computed from a run, which the page modules turn into HTML. Everything
// that needs thought (which points, which trend line, which comparisons, which ratios) happens here, once;
// pages only lay it out. The trend line is the verdict's own (slope and intercept stored with it): nothing is
// fitted twice. The timeline judges the series cut short (what a shorter run would have been told), not the run.
import { lastIteration, type Attribution, type BenchResult, type BuildInfo, type CalibrationResult, type CellData, type CellStatus, type CellVerdict, type LayerVerdict, type RunData, type RunManifest, type Sample } from '@leakbench/core';
import { cellTimeline, median, medianRatio, segmentsOf, type LayerTimeline, type RatioEstimate } from '@leakbench/analysis';
import type { SeriesPlotOptions, Series } from './plots.js';
import { CELL_ROWS, COMPARE_ROWS, FIELD_NAMES, type Field, type RowSpec } from './rows.js';

export interface RowView {
  title: string;
  /** Not measured by this backend (every value null). */
  measured: boolean;
  verdict: LayerVerdict | null;
  absolute: SeriesPlotOptions | null;
  /** Change since the first sample; null where it means nothing (times, counts) or nothing was measured. */
  change: SeriesPlotOptions | null;
}

export interface CellView {
  id: string;
  href: string;
  backend: string;
  model: string;
  fixture: string;
  status: CellStatus;
  error: string | null;
  iterationsDone: number;
  iterations: number;
  warmup: number;
  /** Where each of the cell's processes started (one entry: one process; more: recycled or resumed). */
  segmentStarts: number[];
  /** The fresh-process period of a recycled cell (run --recycle), else null. */
  recycle: number | null;
  /** An ODE model's protocol; null for a workload without one. */
  durationMs: number | null;
  logIntervalMs: number | null;
  gc: string;
  build: BuildInfo | null;
  verdict: CellVerdict | null;
  /** Where the growth is (heap snapshots of an attribution pass), when the cell was attributed. */
  attribution: Attribution | null;
  medianIterationMs: number | null;
  hasSamples: boolean;
  rows: RowView[];
  /** When each layer decided: its verdict on the first n iterations (empty without a verdict or host settings). */
  timeline: LayerTimeline[];
}

export interface ComparisonView {
  model: string;
  fixture: string;
  file: string;
  cells: CellView[];
  /**
   * Median time per iteration of every pair of backends, later over earlier, with a 95 % bootstrap interval —
   * unpaired: the cells ran in separate processes, perhaps side by side (`bench.json` has the paired ratio).
   */
  ratios: { a: string; b: string; ratio: RatioEstimate | null }[];
  rows: { title: string; absolute: SeriesPlotOptions | null; change: SeriesPlotOptions | null }[];
}

export interface RunView {
  id: string;
  createdAt: string;
  options: RunData['manifest']['options'];
  environment: RunData['manifest']['environment'];
  /** The shard runs a merged run joined (empty for a run made whole). */
  merged: RunData['manifest']['merged'];
  cells: CellView[];
  failed: { id: string; status: CellStatus }[];
  models: string[];
  fixtures: string[];
  backends: string[];
  comparisons: ComparisonView[];
  builds: { backend: string; build: BuildInfo | null }[];
  calibrations: CalibrationResult[];
  /** The backends timed side by side in one process, when the run carries a bench.json. */
  bench: BenchResult | null;
}

const MS_PER_NS = 1e-6;

/** A sample the plots of `field` show: measured, and not a settle sample. */
const plotted = (s: Sample, field: Field) => s.phase !== 'settle' && s[field] !== null;

/** Points of one field (nulls and settle samples dropped; ns shown as ms), minus `offset`. */
function points(samples: Sample[], field: Field, offset = 0) {
  const scale = field === 'iterNs' ? MS_PER_NS : 1;
  const out: { x: number; y: number }[] = [];
  for (const s of samples) if (plotted(s, field)) out.push({ x: s.i, y: (s[field] as number) * scale - offset });
  return out;
}

function firstValue(samples: Sample[], field: Field): number {
  const s = samples.find((x) => plotted(x, field));
  return s ? (s[field] as number) * (field === 'iterNs' ? MS_PER_NS : 1) : 0;
}

/** The verdict's fitted line over the measured part (from its stored intercept), minus `offset`. */
function trendLine(samples: Sample[], l: LayerVerdict, offset: number, judgedTo = Infinity) {
  if (l.intercept === null || !Number.isFinite(l.slope)) return null;
  // The first and last plotted iterations of the judged span (a long series' plot points are not built for this).
  let x1: number | null = null;
  let x2: number | null = null;
  for (const s of samples) {
    if (!plotted(s, l.layer) || s.i < l.warmupEnd || s.i > judgedTo) continue;
    if (x1 === null) x1 = s.i;
    else x2 = s.i;
  }
  if (x1 === null || x2 === null) return null;
  const at = (x: number) => l.intercept! + l.slope * x - offset;
  return { x1, y1: at(x1), x2, y2: at(x2) };
}

const yLabel = (unit: RowSpec['unit']) => (unit === 'ms' ? 'ms' : unit === 'count' ? 'runs' : undefined);

function cellRow(cell: CellData, row: RowSpec): RowView {
  const present = row.fields.filter((f) => cell.samples.some((s) => s[f] !== null));
  const verdict = (row.verdictLayer && cell.verdict?.layers.find((l) => l.layer === row.verdictLayer)) || null;
  if (present.length === 0) return { title: row.title, measured: false, verdict, absolute: null, change: null };
  const warmupEnd = verdict ? verdict.warmupEnd : cell.record.spec.warmup || null;
  // A sequential cell was judged up to its deciding look: the trend spans that, a rule marks it.
  const judgedTo = cell.verdict?.sequential?.judgedTo;
  const stop = judgedTo !== undefined ? { judgedTo } : {};
  const series = (change: boolean): Series[] =>
    present.map((f) => ({ name: FIELD_NAMES[f] ?? f, points: points(cell.samples, f, change ? firstValue(cell.samples, f) : 0) }));
  const absolute: SeriesPlotOptions = { series: series(false), unit: row.unit, yLabel: yLabel(row.unit), warmupEnd, trend: verdict ? trendLine(cell.samples, verdict, 0, judgedTo) : null, ...stop };
  const change: SeriesPlotOptions | null = row.change
    ? { series: series(true), unit: row.unit, yLabel: 'change since first sample', zeroLine: true, warmupEnd, trend: verdict ? trendLine(cell.samples, verdict, firstValue(cell.samples, verdict.layer), judgedTo) : null, ...stop }
    : null;
  return { title: row.title, measured: true, verdict, absolute, change };
}

/** The measured iterations' times (ms), in order. */
function iterationTimesMs(samples: Sample[]): number[] {
  return samples.filter((s) => s.phase === 'measure' && s.iterNs !== null).map((s) => s.iterNs! * MS_PER_NS);
}

export function medianIterationMs(samples: Sample[]): number | null {
  const xs = iterationTimesMs(samples);
  return xs.length ? median(xs) : null;
}

/** b's iteration times over a's: the ratio of medians and its unpaired bootstrap interval (null without times). */
function timeRatio(a: CellData, b: CellData): RatioEstimate | null {
  const ta = iterationTimesMs(a.samples).filter((t) => t > 0);
  const tb = iterationTimesMs(b.samples).filter((t) => t > 0);
  return ta.length && tb.length ? medianRatio(tb, ta) : null;
}

export const cellHref = (id: string) => `cells/${id}.html`;
export const compareFile = (model: string, fixture: string) => `compare/${model}-${fixture.replace(/[^a-z0-9._-]+/gi, '-')}.html`;

/** `host`: the run's host settings, which the timeline's verdicts are judged with (none: no timeline). */
export function cellView(cell: CellData, host: RunManifest['options']['host'] | null = null): CellView {
  const { spec } = cell.record;
  return {
    id: spec.id,
    href: cellHref(spec.id),
    backend: spec.backend,
    model: spec.model,
    fixture: spec.fixture,
    status: cell.record.status,
    error: cell.record.error,
    iterationsDone: lastIteration(cell.samples),
    iterations: spec.iterations,
    warmup: spec.warmup,
    segmentStarts: segmentsOf(cell.samples).map((g) => g.from),
    recycle: spec.recycle ?? null,
    durationMs: spec.durationMs,
    logIntervalMs: spec.logIntervalMs,
    gc: spec.gc,
    build: cell.record.build,
    verdict: cell.verdict,
    attribution: cell.attribution,
    medianIterationMs: medianIterationMs(cell.samples),
    hasSamples: cell.samples.length > 0,
    rows: cell.samples.length ? CELL_ROWS.map((row) => cellRow(cell, row)) : [],
    timeline: host && cell.verdict && cell.samples.length ? cellTimeline(spec, cell.samples, host) : [],
  };
}

/** One plot per row with every cell on shared axes (left absolute, right change since the first sample). */
function comparisonRows(cells: CellData[]): ComparisonView['rows'] {
  return COMPARE_ROWS.map((row) => {
    const f = row.fields[0]!;
    const panel = (change: boolean): SeriesPlotOptions | null => {
      const series = cells
        .filter((c) => c.samples.some((s) => s[f] !== null))
        .map((c) => ({ name: c.record.spec.backend, points: points(c.samples, f, change ? firstValue(c.samples, f) : 0) }));
      if (!series.length) return null;
      const ys = series.flatMap((s) => s.points.map((p) => p.y));
      const yDomain: [number, number] | undefined = ys.length ? [Math.min(change ? 0 : Infinity, ...ys), Math.max(...ys)] : undefined;
      return { series, unit: row.unit, zeroLine: change, yLabel: change ? 'change since first sample' : yLabel(row.unit), yDomain };
    };
    return { title: row.title, absolute: panel(false), change: row.change ? panel(true) : null };
  });
}

/** Every model × fixture that two or more backends ran, each with all of them. */
function comparisons(run: RunData, views: Map<CellData, CellView>): ComparisonView[] {
  const groups = new Map<string, CellData[]>();
  for (const c of run.cells) {
    const key = JSON.stringify([c.record.spec.model, c.record.spec.fixture]);
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const out: ComparisonView[] = [];
  for (const cells of groups.values()) {
    if (new Set(cells.map((c) => c.record.spec.backend)).size < 2) continue;
    const { model, fixture } = cells[0]!.record.spec;
    const cv = cells.map((c) => views.get(c)!);
    const ratios = cells.flatMap((a, i) => cells.slice(i + 1).map((b) => ({ a: a.record.spec.backend, b: b.record.spec.backend, ratio: timeRatio(a, b) })));
    out.push({ model, fixture, file: compareFile(model, fixture), cells: cv, ratios, rows: comparisonRows(cells) });
  }
  return out;
}

export function runView(run: RunData): RunView {
  const m = run.manifest;
  const views = new Map(run.cells.map((c) => [c, cellView(c, m.options.host)]));
  const backends = [...new Set(m.cells.map((c) => c.spec.backend))];
  return {
    id: m.id,
    createdAt: m.createdAt,
    options: m.options,
    environment: m.environment,
    merged: m.merged,
    cells: [...views.values()],
    failed: m.cells.filter((c) => c.status !== 'ok').map((c) => ({ id: c.spec.id, status: c.status })),
    models: [...new Set(m.cells.map((c) => c.spec.model))],
    fixtures: [...new Set(m.cells.map((c) => c.spec.fixture))],
    backends,
    comparisons: comparisons(run, views),
    builds: backends.map((b) => ({ backend: b, build: m.cells.find((c) => c.spec.backend === b && c.build)?.build ?? null })),
    calibrations: run.calibrations,
    bench: run.bench,
  };
}
