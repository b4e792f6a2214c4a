// The site's pages: cell grids, native-vs-WASM comparisons, the run index. Pure: run data in, HTML out.
import type { CalibrationResult, CellData, CellVerdict, LayerVerdict, RunData, Sample } from '@leakbench/core';
import { median } from '@leakbench/analysis';
import { badge, esc, formatBytes, page, statusBadge, table } from './html.js';
import { rateChart, seriesPlot, type Series } from './plots.js';

type Field = Exclude<keyof Sample, 'i' | 'phase'>;

interface RowSpec {
  title: string;
  fields: Field[];
  unit: 'bytes' | 'count' | 'ms';
  /** The layer whose verdict is drawn on this row. */
  verdictLayer?: string;
}

/** One row per memory measure, as in the study's figures. */
export const CELL_ROWS: RowSpec[] = [
  { title: 'VMS (virtual size)', fields: ['vmsBytes'], unit: 'bytes', verdictLayer: 'vmsBytes' },
  { title: 'RSS (resident set)', fields: ['rssBytes'], unit: 'bytes', verdictLayer: 'rssBytes' },
  { title: 'max RSS', fields: ['maxRssBytes'], unit: 'bytes', verdictLayer: 'maxRssBytes' },
  { title: 'JS heap used / total', fields: ['heapUsedBytes', 'heapTotalBytes'], unit: 'bytes', verdictLayer: 'heapUsedBytes' },
  { title: 'external (C++ objects bound to JS, incl. WASM memory)', fields: ['externalBytes'], unit: 'bytes', verdictLayer: 'externalBytes' },
  { title: 'arrayBuffers', fields: ['arrayBuffersBytes'], unit: 'bytes', verdictLayer: 'arrayBuffersBytes' },
  { title: 'V8 global handles', fields: ['globalHandlesBytes'], unit: 'bytes', verdictLayer: 'globalHandlesBytes' },
  { title: 'GC runs by kind (cumulative)', fields: ['gcMinor', 'gcMajor', 'gcIncremental'], unit: 'count' },
  { title: 'C allocator in use (process-wide natively)', fields: ['allocatorBytes'], unit: 'bytes', verdictLayer: 'allocatorBytes' },
  { title: "module's own C heap (exact)", fields: ['moduleHeapBytes'], unit: 'bytes', verdictLayer: 'moduleHeapBytes' },
  { title: 'WASM linear memory', fields: ['wasmMemoryBytes'], unit: 'bytes', verdictLayer: 'wasmMemoryBytes' },
  { title: 'iteration time', fields: ['iterNs'], unit: 'ms' },
];

const FIELD_NAMES: Partial<Record<Field, string>> = {
  heapUsedBytes: 'used',
  heapTotalBytes: 'total',
  gcMinor: 'minor',
  gcMajor: 'major',
  gcIncremental: 'incremental',
};


/** Points of one field (nulls dropped), ns converted to ms for iteration time; settle samples excluded. */
function points(samples: Sample[], field: Field, minus = 0) {
  const scale = field === 'iterNs' ? 1e-6 : 1;
  return samples
    .filter((s) => s.phase !== 'settle' && s[field] !== null)
    .map((s) => ({ x: s.i, y: (s[field] as number) * scale - minus }));
}

function firstValue(samples: Sample[], field: Field): number {
  const s = samples.find((x) => x[field] !== null && x.phase !== 'settle');
  return s ? (s[field] as number) * (field === 'iterNs' ? 1e-6 : 1) : 0;
}

/** The verdict's trend line over the measured part, anchored robustly on the measured points. */
function trendLine(samples: Sample[], l: LayerVerdict, minus: number) {
  const pts = points(samples, l.layer as Field).filter((p) => p.x >= l.warmupEnd);
  if (pts.length < 2 || !Number.isFinite(l.slope)) return null;
  const intercept = median(pts.map((p) => p.y - l.slope * p.x));
  const x1 = pts[0]!.x;
  const x2 = pts.at(-1)!.x;
  return { x1, y1: intercept + l.slope * x1 - minus, x2, y2: intercept + l.slope * x2 - minus };
}

function layerCaption(l: LayerVerdict | undefined): string {
  if (!l) return '';
  const ci = Number.isFinite(l.ciLow) && Number.isFinite(l.ciHigh) ? ` (${Math.round(l.confidence * 100)}% CI ${formatBytes(l.ciLow)}–${formatBytes(l.ciHigh)})` : '';
  const sign = l.slope >= 0 ? '+' : '';
  return `<span class="caption" title="${esc(l.reason)}">${sign}${esc(formatBytes(l.slope))}/iter${esc(ci)} — ${badge(l.decision)}</span>`;
}

/** Where a row's measurement starts: its verdict's (explicit or detected) warm-up end, else the explicit warm-up. */
function warmupEnd(cell: CellData, verdict?: LayerVerdict): number | null {
  if (verdict) return verdict.warmupEnd;
  return cell.record.spec.warmup || null;
}

function cellRows(cell: CellData): string {
  const out: string[] = [];
  const layers = new Map<string, LayerVerdict>((cell.verdict?.layers ?? []).map((l) => [l.layer, l]));
  for (const row of CELL_ROWS) {
    const present = row.fields.filter((f) => cell.samples.some((s) => s[f] !== null));
    if (present.length === 0) {
      out.push(`<div class="row-title">${esc(row.title)} <span class="caption">not measured by this backend</span></div>`);
      continue;
    }
    const verdict = row.verdictLayer ? layers.get(row.verdictLayer) : undefined;
    const series = (minusFirst: boolean): Series[] =>
      present.map((f) => ({ name: FIELD_NAMES[f] ?? f, points: points(cell.samples, f, minusFirst ? firstValue(cell.samples, f) : 0) }));
    const trendField = verdict?.layer as Field | undefined;
    const abs = seriesPlot({
      series: series(false),
      unit: row.unit,
      yLabel: row.unit === 'ms' ? 'ms' : row.unit === 'count' ? 'runs' : undefined,
      warmupEnd: warmupEnd(cell, verdict),
      trend: verdict ? trendLine(cell.samples, verdict, 0) : null,
    });
    const delta = seriesPlot({
      series: series(true),
      unit: row.unit,
      yLabel: 'change since first sample',
      zeroLine: true,
      warmupEnd: warmupEnd(cell, verdict),
      trend: verdict && trendField ? trendLine(cell.samples, verdict, firstValue(cell.samples, trendField)) : null,
    });
    out.push(`<div class="row-title">${esc(row.title)}${layerCaption(verdict)}</div><figure>${abs}</figure><figure>${delta}</figure>`);
  }
  return `<div class="grid"><div class="row-title">absolute</div>${out.join('\n')}</div>`.replace(
    '<div class="row-title">absolute</div>',
    '<div><b>absolute value</b></div><div><b>change since the first sample</b></div>',
  );
}

function verdictBlock(v: CellVerdict | null): string {
  if (!v) return '<p class="note">No verdict: the cell recorded no measured iterations.</p>';
  const rows = v.layers.map((l) => [
    esc(l.layer),
    badge(l.decision),
    `<span class="num">${esc(formatBytes(l.slope))}/iter</span>`,
    `<span class="num">${esc(formatBytes(l.ciLow))} – ${esc(formatBytes(l.ciHigh))}</span>`,
    `<span class="num">${l.pValue.toExponential(1)}</span>`,
    `<span class="num">${l.warmupEnd}${l.warmupDetected ? ' (detected)' : ''}</span>`,
    `<span class="num">${esc(formatBytes(l.oneTime))}</span>`,
    esc(l.reason),
  ]);
  const settle = v.settle
    ? `<p>Settle check (full GC + event-loop turns after the last iteration): ${
        v.settle.deferredLayers.length ? `growth came back in ${esc(v.settle.deferredLayers.join(', '))} — deferred finalisation, not a leak` : 'no growth came back'
      }.</p>`
    : '';
  return `<p>${badge(v.decision)} ${esc(v.summary)}</p>${settle}${table(['layer', 'verdict', 'slope', '95% CI', 'p (trend)', 'measured from', 'one-time', 'why'], rows)}`;
}

export function cellPage(run: RunData, cell: CellData, root: string): string {
  const { spec } = cell.record;
  const info = [
    ['cell', esc(spec.id)],
    ['status', `${statusBadge(cell.record.status)} ${esc(cell.record.error ?? '')}`],
    ['backend / model / fixture', `${esc(spec.backend)} / ${esc(spec.model)} / ${esc(spec.fixture)}`],
    ['iterations', `${cell.samples.filter((s) => s.phase !== 'baseline' && s.phase !== 'settle').length} of ${spec.iterations} (warm-up ${spec.warmup})`],
    ['simulated per iteration', `${spec.durationMs} ms, logged every ${spec.logIntervalMs} ms`],
    ['GC policy', esc(spec.gc)],
    ['build', cell.record.build ? esc(`${cell.record.build.compiler} ${cell.record.build.compilerVersion}; ${cell.record.build.emccVersion ? `emcc ${cell.record.build.emccVersion}; ` : ''}SUNDIALS ${cell.record.build.sundialsVersion}; ${cell.record.build.optFlags}; ${cell.record.build.allocator}`) : '—'],
  ];
  const body = `<p><a href="index.html">← run ${esc(run.manifest.id)}</a></p>
${table(['', ''], info)}
<h2>Verdict</h2>${verdictBlock(cell.verdict)}
<h2>Memory layers per iteration</h2>
<p class="note">Step lines over iteration; shaded: warm-up (explicit, or detected for that layer); dashed: the fitted per-iteration trend of the layer's verdict.</p>
${cell.samples.length ? cellRows(cell) : '<p><b>No samples were recorded for this cell.</b></p>'}`;
  return page(`${spec.id}`, body, root);
}

const COMPARE_ROWS: RowSpec[] = [
  { title: 'RSS', fields: ['rssBytes'], unit: 'bytes' },
  { title: 'JS heap used', fields: ['heapUsedBytes'], unit: 'bytes' },
  { title: 'external', fields: ['externalBytes'], unit: 'bytes' },
  { title: 'C allocator in use', fields: ['allocatorBytes'], unit: 'bytes' },
  { title: "module's own C heap", fields: ['moduleHeapBytes'], unit: 'bytes' },
  { title: 'max RSS', fields: ['maxRssBytes'], unit: 'bytes' },
  { title: 'iteration time', fields: ['iterNs'], unit: 'ms' },
];

export function medianIterationMs(cell: CellData): number | null {
  const xs = cell.samples.filter((s) => s.phase === 'measure' && s.iterNs !== null).map((s) => s.iterNs! / 1e6);
  return xs.length ? median(xs) : null;
}

export function comparisonPage(run: RunData, a: CellData, b: CellData, root: string): string {
  const title = `${a.record.spec.model} · ${a.record.spec.fixture}: ${a.record.spec.backend} vs ${b.record.spec.backend}`;
  const rows: string[] = [];
  for (const row of COMPARE_ROWS) {
    const f = row.fields[0]!;
    for (const minusFirst of [false, true]) {
      const series = [a, b]
        .filter((c) => c.samples.some((s) => s[f] !== null))
        .map((c) => ({ name: c.record.spec.backend, points: points(c.samples, f, minusFirst ? firstValue(c.samples, f) : 0) }));
      const all = series.flatMap((s) => s.points.map((p) => p.y));
      const fig = series.length
        ? seriesPlot({ series, unit: row.unit, zeroLine: minusFirst, yLabel: minusFirst ? 'change since first sample' : undefined, yDomain: all.length ? [Math.min(minusFirst ? 0 : Infinity, ...all), Math.max(...all)] : undefined })
        : '<p class="note">not measured</p>';
      rows.push(minusFirst ? `<figure>${fig}</figure>` : `<div class="row-title">${esc(row.title)}</div><figure>${fig}</figure>`);
    }
  }
  const ta = medianIterationMs(a);
  const tb = medianIterationMs(b);
  const ratio = ta && tb ? tb / ta : null;
  const verdicts = table(
    ['backend', 'verdict', 'where', 'bytes/iteration', 'median iteration time'],
    [a, b].map((c) => [
      `<a href="${esc(`cells/${c.record.spec.id}.html`)}">${esc(c.record.spec.backend)}</a>`,
      badge(c.verdict?.decision),
      esc(c.verdict?.where ?? '—'),
      esc(c.verdict?.bytesPerIteration != null ? `${formatBytes(c.verdict.bytesPerIteration)} (${formatBytes(c.verdict.ciLow)}–${formatBytes(c.verdict.ciHigh)})` : '—'),
      `<span class="num">${medianIterationMs(c)?.toFixed(3) ?? '—'} ms</span>`,
    ]),
  );
  const body = `<p><a href="../index.html">← run ${esc(run.manifest.id)}</a></p>
${verdicts.replace(/href="cells\//g, 'href="../cells/')}
<p>Time per iteration (median of measured iterations, same run): ${esc(a.record.spec.backend)} ${ta?.toFixed(3) ?? '—'} ms, ${esc(b.record.spec.backend)} ${tb?.toFixed(3) ?? '—'} ms; ratio ${esc(b.record.spec.backend)}/${esc(a.record.spec.backend)} = <b>${ratio ? ratio.toFixed(2) : '—'}</b>.</p>
<p class="note">Layer by layer on shared axes (one plot per layer, both backends); left absolute, right change since the first sample.</p>
<div class="grid"><div><b>absolute value</b></div><div><b>change since the first sample</b></div>${rows.join('\n')}</div>`;
  return page(title, body, root);
}

/** Pairs of cells (native, wasm) with the same model and fixture. */
export function comparisons(run: RunData): [CellData, CellData][] {
  const out: [CellData, CellData][] = [];
  for (const a of run.cells.filter((c) => c.record.spec.backend === 'native')) {
    const b = run.cells.find((c) => c.record.spec.backend === 'wasm' && c.record.spec.model === a.record.spec.model && c.record.spec.fixture === a.record.spec.fixture);
    if (b) out.push([a, b]);
  }
  return out;
}

export const compareFile = (a: CellData) => `compare/${a.record.spec.model}-${a.record.spec.fixture.replace(/[^a-z0-9._-]+/gi, '-')}.html`;

function calibrationSection(cal: CalibrationResult): string {
  const rows = cal.summaries.map((s) => [
    esc(s.backend),
    esc(s.fixture),
    esc(s.expectedWhere),
    `<span class="num">${s.iterationsToDetect ?? (s.expectedWhere === 'none' ? '' : 'never')}</span>`,
    `<span class="num">${s.falsePositiveRate === null ? '' : `${(s.falsePositiveRate * 100).toFixed(0)}%`}</span>`,
    `<span class="num">${s.trueBytesPerIteration === null ? '—' : `${s.trueBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.estimatedBytesPerIteration === null ? '—' : `${s.estimatedBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.relativeError === null ? '' : `${(s.relativeError * 100).toFixed(1)}%`}</span>`,
    esc(s.byIterations.map((b) => `${b.iterations}: ${b.correct}/${b.trials}`).join(', ')),
  ]);
  const chart = rateChart(
    cal.summaries.flatMap((s) => s.byIterations.map((b) => ({ group: s.backend, label: s.fixture, x: b.iterations, rate: b.trials ? b.correct / b.trials : 0 }))),
  );
  return `<h2>Calibration (fixtures as ground truth)</h2>
<p>Model ${esc(cal.options.model)}, GC ${esc(cal.options.gc)}, ${cal.options.trials} trials per count (none: ${cal.options.noneTrials}). “Correct” is <i>leak</i> in the expected layer, or <i>no-leak</i> for <code>none</code>.</p>
${table(['backend', 'fixture', 'expected', 'iterations to detect', 'false positives', 'true growth/iter', 'estimated/iter', 'error', 'correct per count'], rows)}
<figure>${chart}</figure>`;
}

export function runIndex(run: RunData, root: string, failedLinks = ''): string {
  const m = run.manifest;
  const models = [...new Set(m.cells.map((c) => c.spec.model))];
  const fixtures = [...new Set(m.cells.map((c) => c.spec.fixture))];
  const backends = [...new Set(m.cells.map((c) => c.spec.backend))];
  const matrices = models.map((model) => {
    const rows = backends.map((backend) => [
      `<b>${esc(backend)}</b>`,
      ...fixtures.map((fixture) => {
        const cell = run.cells.find((c) => c.record.spec.backend === backend && c.record.spec.model === model && c.record.spec.fixture === fixture);
        if (!cell) return '<span class="note">—</span>';
        const v = cell.verdict;
        const done = cell.samples.filter((s) => s.phase === 'warmup' || s.phase === 'measure').length;
        return `<a href="${esc(`cells/${cell.record.spec.id}.html`)}">${badge(v?.decision)}</a> ${v?.where ? esc(v.where) : ''}<br>${
          v?.bytesPerIteration != null ? `<span class="num">${esc(formatBytes(v.bytesPerIteration))}/iter ± ${esc(formatBytes((v.ciHigh! - v.ciLow!) / 2))}</span><br>` : ''
        }<span class="note">${done}/${cell.record.spec.iterations} it.</span> ${statusBadge(cell.record.status)}`;
      }),
    ]);
    const compareLinks = comparisons(run)
      .filter(([a]) => a.record.spec.model === model)
      .map(([a]) => `<a href="${esc(compareFile(a))}">${esc(a.record.spec.fixture)}</a>`)
      .join(' · ');
    return `<h2>${esc(model)}</h2>${table(['backend', ...fixtures.map((f) => esc(f))], rows)}${compareLinks ? `<p>native vs WASM: ${compareLinks}</p>` : ''}`;
  });
  const builds = backends.map((b) => {
    const build = m.cells.find((c) => c.spec.backend === b && c.build)?.build;
    return [esc(b), build ? esc(`${build.compiler} ${build.compilerVersion}`) : '—', esc(build?.emccVersion ?? '—'), esc(build?.sundialsVersion ?? '—'), esc(build?.optFlags ?? '—'), esc(build?.allocator ?? '—')];
  });
  const env = m.environment;
  const failed = m.cells.filter((c) => c.status !== 'ok');
  const body = `${failedLinks}
<p>Run <code>${esc(m.id)}</code>, created ${esc(m.createdAt)}; ${m.cells.length} cells, ${m.options.iterations} iterations each (warm-up ${m.options.warmup}), GC policy ${esc(m.options.gc)}, host profile ${esc(m.options.host.profile)}.</p>
${failed.length ? `<p><b>${failed.length} cell(s) did not finish:</b> ${failed.map((c) => `${esc(c.spec.id)} ${statusBadge(c.status)}`).join(', ')}</p>` : ''}
${matrices.join('\n')}
<h2>Environment</h2>
${table(['', ''], [
  ['Node / V8', esc(`${env.node} / ${env.v8}`)],
  ['OS', esc(`${env.os} ${env.arch}`)],
  ['CPU', esc(`${env.cpu} × ${env.cpus}`)],
  ['memory', esc(formatBytes(env.totalMemBytes))],
  ['commit', esc(env.commit ?? '—')],
  ['cell node flags', esc(m.options.host.nodeFlags.join(' ') || '—')],
  ['cell environment', esc(Object.entries(m.options.host.env).map(([k, v]) => `${k}=${v}`).join(' ') || '—')],
])}
${table(['backend', 'compiler', 'emcc', 'SUNDIALS', 'optimisation', 'allocator'], builds)}
${run.calibration ? calibrationSection(run.calibration) : ''}`;
  return page(`run ${m.id}`, body, root);
}
