// A cell's page: what ran, its verdict per layer, and one row per memory measure (absolute | change since the
// first sample), with the verdict's warm-up shading and fitted trend.
import { definedAtText, formatConfidence, retainerText, storeModuleText } from '@leakbench/core';
import type { Attribution, CellVerdict, LayerVerdict } from '@leakbench/core';
import { badge, esc, formatBytes, page, statusBadge, table } from '../html.js';
import type { CellView, RowView } from '../model.js';
import { lookLevelsText, sequentialBoundsText } from '@leakbench/analysis';
import { decisionGrid, seriesPlot } from '../plots.js';

function layerCaption(l: LayerVerdict | null): string {
  if (!l) return '';
  const ci = Number.isFinite(l.ciLow) && Number.isFinite(l.ciHigh) ? ` (${formatConfidence(l.confidence)} interval ${formatBytes(l.ciLow)}–${formatBytes(l.ciHigh)})` : '';
  const sign = l.slope >= 0 ? '+' : '';
  return `<span class="caption" title="${esc(l.reason)}">${sign}${esc(formatBytes(l.slope))}/iter${esc(ci)} — ${badge(l.decision)}</span>`;
}

function row(r: RowView): string {
  if (!r.measured) return `<div class="row-title">${esc(r.title)} <span class="caption">not measured by this backend</span></div>`;
  const figures = [r.absolute, r.change].filter((p) => p !== null).map((p) => `<figure>${seriesPlot(p)}</figure>`);
  return `<div class="row-title">${esc(r.title)}${layerCaption(r.verdict)}</div>${figures.join('')}`;
}

function verdictBlock(v: CellVerdict | null): string {
  if (!v) return '<p class="note">No verdict: the cell recorded no measured iterations.</p>';
  const rows = v.layers.map((l) => [
    esc(l.layer),
    badge(l.decision),
    `<span class="num">${esc(formatBytes(l.slope))}/iter</span>`,
    `<span class="num">${esc(formatBytes(l.ciLow))} – ${esc(formatBytes(l.ciHigh))}</span>`,
    `<span class="num">${l.pValue.toExponential(1)}</span>`,
    `<span class="num">${l.warmupEnd}${l.change ? ` (${l.change.kind === 'stop' ? 'stopped growing' : 'rate changed'})` : ''}</span>`,
    `<span class="num">${esc(formatBytes(l.oneTime))}</span>`,
    esc(l.reason),
  ]);
  const settle = v.settle
    ? `<p>Settle check (full GC + event-loop turns after the last iteration): ${
        v.settle.deferredLayers.length ? `growth came back in ${esc(v.settle.deferredLayers.join(', '))} — deferred finalisation, not a leak` : 'no growth came back'
      }.</p>`
    : '';
  const ci = `${formatConfidence(v.layers[0]?.confidence ?? 0.95)} interval`;
  return `<p>${badge(v.decision)} ${esc(v.summary)}</p>${settle}${table(['layer', 'verdict', 'slope', ci, 'p (trend)', 'measured from', 'one-time', 'why'], rows)}`;
}

function attributionBlock(a: Attribution | null, id: string): string {
  if (!a) return `<p class="note">Not attributed. <code>leakbench attribute &lt;run&gt; --cells ${esc(id)}</code> runs the cell again with heap snapshots and says where its growth is.</p>`;
  const at = a.snapshots.map((s) => s.iteration).join(', ');
  const rows = a.js.sites.map((s) => [
    esc(s.owner === 'program' ? 'program' : "V8's own"),
    `<b>${esc(s.name)}</b>${definedAtText(s.definedAt) ? ` <span class="note">defined at ${esc(definedAtText(s.definedAt)!)}</span>` : ''}`,
    `<span class="num">${esc(formatBytes(s.bytesPerIteration))}/iter</span>`,
    `<span class="num">${s.externalBytesPerIteration > 0 ? `${esc(formatBytes(s.externalBytesPerIteration))}/iter` : '—'}</span>`,
    `<span class="num">${s.objectsPerIteration.toFixed(2)}</span>`,
    `<span class="num">${s.intervals.map((x) => esc(formatBytes(x))).join(' · ')}</span>`,
    `<span title="${esc(retainerText(s.retainers, Infinity))}">${esc(retainerText(s.retainers))}</span>`,
  ]);
  const program = a.js.sites.some((s) => s.owner === 'program')
    ? `The program's growing JS objects add ${esc(formatBytes(a.js.programBytesPerIteration))}/iteration`
    : 'No JS objects of the program grow';
  const cRows = (a.c?.sites ?? []).map((s) => [
    `<b>${esc(s.site)}</b>`,
    `<span class="num">${esc(formatBytes(s.bytesPerIteration))}/iter</span>`,
    `<span class="num">${s.blocksPerIteration.toFixed(2)}</span>`,
    `<span class="num">${s.intervals.map((x) => esc(formatBytes(x))).join(' · ')}</span>`,
    `<span class="num">${s.keptBlocks}</span>`,
    s.callers.length
      ? `<span title="${esc(s.stack.join('\n'))}">${s.callers.map((c) => `${esc(c.caller)} <span class="num">${esc(formatBytes(c.bytesPerIteration))}/iter</span>`).join(' · ')}</span>`
      : `<span title="${esc(s.stack.join('\n'))}">${esc(s.stack.slice(1, 5).join(' ← '))}</span>`,
  ]);
  // Modules named without DWARF, said once: what their frames' names came from.
  const naming = (a.c?.modules ?? []).filter((m) => !m.debugInfo && (a.c?.sites ?? []).some((s) => s.stack.length));
  const namingNote = naming.length ? `<p class="note">${naming.map((m) => `${esc(m.module.replace(/^.*\//, ''))}: ${esc(m.naming)}.`).join(' ')}</p>` : '';
  const cBlock = !a.c
    ? `<p class="note">C heap allocation sites not recorded: ${esc(a.cNotRecorded ?? 'the backend does not offer them (Backend.allocationSites)')}.</p>`
    : `<p>${cRows.length ? `C heap allocation sites of the module that grew in every interval (${esc(formatBytes(a.c.bytesPerIteration))}/iteration)` : 'No C heap allocation site of the module grew'}; symbolised by ${esc(a.c.symbolizer)}.</p>${namingNote}
${cRows.length ? table(['allocated at', 'bytes', 'blocks/iter', 'per interval', 'kept blocks', 'called from'], cRows) : ''}`;
  const storeBlock = a.stores.length
    ? `<p>Linear memory growing in every interval (it never shrinks): ${a.stores.map((st) => `<b>${esc(st.kind)}</b> of ${esc(storeModuleText(st))}, <span class="num">${esc(formatBytes(st.bytesPerIteration))}/iter</span> (${esc(formatBytes(st.bytes))} at the last snapshot)`).join('; ')}.</p>`
    : '';
  return `${cBlock}${storeBlock}<p>${program}; V8's own objects (compiled code, feedback, hidden classes) ${esc(formatBytes(a.js.engineBytesPerIteration))}/iteration. Heap snapshots after iterations ${esc(at)} of a second run of the cell (${a.iterations} iterations, ${(a.wallMs / 1000).toFixed(1)} s).</p>
${rows.length ? table(['owner', 'what grows', 'JS heap', 'external', 'objects/iter', 'per interval', 'held by (shortest path from a GC root)'], rows) : ''}`;
}

/** When each layer decided: the verdict of the series cut after 10, 20, 50, … iterations. */
function timelineBlock(c: CellView): string {
  if (!c.timeline.length) return '';
  const rows = c.timeline.map((t) => [
    esc(t.layer),
    t.settled ? badge(t.settled.decision) : badge('inconclusive'),
    `<span class="num">${t.settled ? `from ${t.settled.from}` : 'not yet'}</span>`,
    `<span class="num">${esc(formatBytes(t.points.at(-1)?.slope ?? 0))}/iter</span>`,
  ]);
  const cells = c.timeline.flatMap((t) => t.points.map((p) => ({ layer: t.layer, iterations: p.iterations, decision: p.decision })));
  return `<h2>When each layer decided</h2>
<p class="note">${
    c.verdict?.sequential
      ? "Each layer's verdict at each look the cell took (run --until-decided), up to the one that decided it — each look judges the series up to it, at its own levels (without an attribution pass). \"From\": the first look from which the layer keeps its final decision."
      : 'Each layer\'s verdict on the series cut after this many iterations — what a run of that length would have been told (same warm-up and host guards; without an attribution pass). "From": the first cut from which the layer keeps its final decision.'
  }</p>
<figure>${decisionGrid(cells)}</figure>
${table(['layer', 'final decision', 'decided', 'rate at the end'], rows)}`;
}

/** A cell run in several processes: why, where each started, and how the verdict reads them. */
const processesText = (c: CellView) =>
  `${c.segmentStarts.length}${c.recycle ? ` (a fresh process every ${c.recycle} iterations)` : ' (resumed)'}, starting at iterations ${c.segmentStarts.join(', ')}; each later one ran the warm-up again (uncounted, drawn at its start) — the verdict judges the series joined at those warm-ups (page-granular layers on the longest-lived process alone), the plots show it as recorded`;

const buildText = (c: CellView) =>
  c.build ? `${c.build.compiler} ${c.build.compilerVersion}; ${c.build.emccVersion ? `emcc ${c.build.emccVersion}; ` : ''}SUNDIALS ${c.build.sundialsVersion}; ${c.build.optFlags}; ${c.build.allocator}${c.build.runtime ? `; runs in ${c.build.runtime}` : ''}` : null;

/** A sequential cell (run --until-decided): where it stopped and why, and what of its series was judged. */
function sequentialText(s: NonNullable<CellVerdict['sequential']>): string {
  const bounds = sequentialBoundsText(s);
  const levels = lookLevelsText(s);
  const what =
    s.decidedAt !== null
      ? `decided at iteration ${s.decidedAt} by look ${s.look} (${levels}); the cell ran to ${s.ranTo} while the look was taken — iterations after ${s.decidedAt} are recorded, not judged (the dotted rule in the plots)`
      : `not decided by look ${s.look} at iteration ${s.judgedTo} (${levels}); the verdict is that look's`;
  return `stopped when decided (run --until-decided: ${bounds}): ${what}`;
}

/** `runId` names the run in the back link; `root` is the relative path to the site root. */
export function cellPage(c: CellView, runId: string, root: string): string {
  const info = [
    ['cell', esc(c.id)],
    ['status', `${statusBadge(c.status)} ${esc(c.error ?? '')}`],
    ['backend / model / fixture', `${esc(c.backend)} / ${esc(c.model)} / ${esc(c.fixture)}`],
    ['iterations', `${c.iterationsDone} of ${c.verdict?.sequential ? 'at most ' : ''}${c.iterations} (warm-up ${c.warmup})`],
    ...(c.verdict?.sequential ? [['sequential', esc(sequentialText(c.verdict.sequential))]] : []),
    ...(c.segmentStarts.length > 1 ? [['processes', processesText(c)]] : []),
    ...(c.durationMs !== null ? [['simulated per iteration', `${c.durationMs} ms, logged every ${c.logIntervalMs} ms`]] : []),
    ['GC policy', esc(c.gc)],
    ['build', esc(buildText(c) ?? '—')],
  ];
  const grid = `<div class="grid"><div><b>absolute value</b></div><div><b>change since the first sample</b></div>${c.rows.map(row).join('\n')}</div>`;
  const body = `<p><a href="../index.html">← run ${esc(runId)}</a></p>
${table(['', ''], info)}
<h2>Verdict</h2>${verdictBlock(c.verdict)}
<h2>Where</h2>${attributionBlock(c.attribution, c.id)}
${timelineBlock(c)}
<h2>Memory layers per iteration</h2>
<p class="note">Step lines over iteration; shaded: warm-up (explicit, or detected for that layer); dashed: the fitted per-iteration trend of the layer's verdict. Times and counts have no change panel.</p>
${c.hasSamples ? grid : '<p><b>No samples were recorded for this cell.</b></p>'}`;
  return page(c.id, body, root);
}
