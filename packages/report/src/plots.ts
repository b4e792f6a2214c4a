// Observable Plot rendered in Node through jsdom: data in, SVG markup out. No clip paths, patterns or line markers
// (their ids come from global counters), so the same data always gives the same bytes.
import * as Plot from '@observablehq/plot';
import { JSDOM } from 'jsdom';
import { decimate, type Point } from './decimate.js';
import { byteTicks } from './ticks.js';

let dom: JSDOM | null = null;
const document = () => (dom ??= new JSDOM('')).window.document;

export interface Series {
  name: string;
  points: Point[];
}

export interface SeriesPlotOptions {
  series: Series[];
  width?: number;
  height?: number;
  yLabel?: string;
  /** 'bytes': ticks at round values in one binary unit; 'count' and 'ms': plain numbers. */
  unit?: 'bytes' | 'count' | 'ms';
  /** Iterations [0, warmupEnd) are shaded. */
  warmupEnd?: number | null;
  /** Fitted trend segment drawn over the measured part. */
  trend?: { x1: number; y1: number; x2: number; y2: number } | null;
  legend?: boolean;
  /** Draw y = 0 (and so include it in the domain): for change-since-first plots. */
  zeroLine?: boolean;
  /** Fixed y domain (for shared axes). */
  yDomain?: [number, number];
  /** A sequential cell's stop: the iteration its deciding look judged up to (a rule; later iterations were not judged). */
  judgedTo?: number | null;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

const countFormat = (d: number) => (Math.abs(d) >= 1e6 ? `${(d / 1e6).toFixed(1)}M` : Math.abs(d) >= 1e3 ? `${(d / 1e3).toFixed(1)}k` : `${+d.toFixed(3)}`);

/** The y axis: byte axes get round ticks in the unit they print (ticks.ts) over the extent of everything drawn. */
function yAxis(o: SeriesPlotOptions, ys: number[]): Record<string, unknown> {
  if (o.unit !== 'bytes') return { tickFormat: countFormat, ...(o.yDomain ? { domain: o.yDomain } : {}) };
  const [lo, hi] = o.yDomain ?? [Math.min(...ys), Math.max(...ys)];
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return {};
  const t = byteTicks(lo, hi);
  return { ticks: t.values, tickFormat: t.format, ...(lo < hi ? { domain: [lo, hi] } : {}) };
}

/** Step lines over iteration, one per series, with optional warm-up shading and trend line. */
export function seriesPlot(o: SeriesPlotOptions): string {
  const rows = o.series.flatMap((s) => decimate(s.points).map((p) => ({ x: p.x, y: p.y, name: s.name })));
  const marks: Plot.Markish[] = [];
  if (o.warmupEnd && o.warmupEnd > 0) marks.push(Plot.rectX([{ x1: 0, x2: o.warmupEnd }], { x1: 'x1', x2: 'x2', fill: '#000', fillOpacity: 0.07 }));
  if (o.zeroLine) marks.push(Plot.ruleY([0], { stroke: '#bbb' }));
  if (o.judgedTo != null) marks.push(Plot.ruleX([o.judgedTo], { stroke: '#6f42c1', strokeWidth: 1, strokeDasharray: '2,2' }));
  marks.push(Plot.lineY(rows, { x: 'x', y: 'y', z: 'name', stroke: o.series.length > 1 ? 'name' : COLORS[0], curve: 'step-after', strokeWidth: 1.2 }));
  if (o.trend) {
    const t = o.trend;
    marks.push(Plot.line([[t.x1, t.y1], [t.x2, t.y2]], { stroke: '#e36209', strokeWidth: 1.5, strokeDasharray: '5,3' }));
  }
  const ys = [...rows.map((r) => r.y), ...(o.zeroLine ? [0] : []), ...(o.trend ? [o.trend.y1, o.trend.y2] : [])];
  const el = Plot.plot({
    document: document(),
    width: o.width ?? 470,
    height: o.height ?? 150,
    marginLeft: 64,
    style: { fontSize: '10px', overflow: 'visible' },
    x: { label: 'iteration', tickFormat: countFormat },
    y: { label: o.yLabel ?? null, grid: true, ...yAxis(o, ys) },
    color: o.series.length > 1 ? { legend: o.legend ?? true, range: COLORS, domain: o.series.map((s) => s.name) } : undefined,
    marks,
  });
  return el.outerHTML;
}

/** Detection rate (or any 0..1 share) per iteration count, one line per label, faceted by group. */
export function rateChart(rows: { group: string; label: string; x: number; rate: number }[], width = 900): string {
  const groups = [...new Set(rows.map((r) => r.group))];
  const labels = [...new Set(rows.map((r) => r.label))];
  const el = Plot.plot({
    document: document(),
    width,
    height: 120 + 160 * groups.length,
    marginLeft: 50,
    style: { fontSize: '11px' },
    fy: { label: null, domain: groups },
    x: { label: 'iterations per trial', type: 'log', tickFormat: (d: number) => String(d) },
    y: { label: 'share judged correctly', domain: [0, 1], grid: true },
    color: { legend: true, domain: labels, scheme: 'tableau10' },
    marks: [
      Plot.line(rows, { x: 'x', y: 'rate', z: 'label', stroke: 'label', fy: 'group' }),
      // dots, not line markers: Plot numbers marker ids with a global counter, which would break identical rebuilds
      Plot.dot(rows, { x: 'x', y: 'rate', fill: 'label', fy: 'group', r: 2.5 }),
      Plot.frame({ stroke: '#ddd' }),
    ],
  });
  return el.outerHTML;
}

/** The decision colours of the badges (html.ts), strong enough to read as cells of a grid. */
const DECISION_COLORS = { leak: '#e05252', 'no-leak': '#4caf64', inconclusive: '#f2c94c' };

/** What a decision grid and a figure of several share: layers as rows, iteration counts as columns, the colours. */
function gridOptions(rows: { layer: string; iterations: number }[]) {
  const layers = [...new Set(rows.map((r) => r.layer))];
  const counts = [...new Set(rows.map((r) => r.iterations))].sort((a, b) => a - b);
  return {
    layers,
    options: {
      document: document(),
      marginLeft: 130,
      style: { fontSize: '10px' },
      x: { label: 'verdict after this many iterations', domain: counts, tickFormat: countFormat },
      y: { label: null, domain: layers },
      color: { legend: true, domain: Object.keys(DECISION_COLORS), range: Object.values(DECISION_COLORS) },
    },
  };
}

/** Decision per layer (rows) and iteration count (columns): where each layer's verdict changes as a run grows. */
export function decisionGrid(rows: { layer: string; iterations: number; decision: string }[], width = 640): string {
  const { layers, options } = gridOptions(rows);
  const el = Plot.plot({
    ...options,
    width,
    height: 40 + 18 * layers.length,
    marks: [Plot.cell(rows, { x: 'iterations', y: 'layer', fill: 'decision', inset: 0.5 })],
  });
  return el.outerHTML;
}

/**
 * The decision grids of several cells in one figure (a facet per cell), so that one look compares how many
 * iterations each layer of each cell needed.
 */
export function decisionGrids(rows: { cell: string; layer: string; iterations: number; decision: string }[], width = 760): string {
  const cells = [...new Set(rows.map((r) => r.cell))];
  const { layers, options } = gridOptions(rows);
  const el = Plot.plot({
    ...options,
    width,
    height: 50 + cells.length * (18 * layers.length + 12),
    marginRight: 170,
    marginTop: 40,
    fy: { label: null, domain: cells },
    marks: [
      // The columns are labelled above the first cell too: a figure of many cells is read from its top.
      Plot.axisX({ anchor: 'top', label: options.x.label, labelAnchor: 'center', tickFormat: countFormat }),
      Plot.axisX({ anchor: 'bottom', label: options.x.label, labelAnchor: 'center', tickFormat: countFormat }),
      Plot.cell(rows, { x: 'iterations', y: 'layer', fy: 'cell', fill: 'decision', inset: 0.5 }),
    ],
  });
  return el.outerHTML;
}
