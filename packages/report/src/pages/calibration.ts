// The calibration section of a run's index: detection per fixture and iteration count, false positives, and
// estimated against true growth per leaked block.
import type { CalibrationResult } from '@leakbench/core';
import { confusionText, sequentialBoundsText } from '@leakbench/analysis';
import { esc, table } from '../html.js';
import { rateChart } from '../plots.js';

/** A sequential calibration's iterations to a decision: median and 95th percentile, warm-up included and after it. */
function decidedCell(q: CalibrationResult['summaries'][number]['sequential']): string {
  if (!q) return '—';
  const at = (x: number | null) => (x === null ? 'undecided' : `${x} (${x - q.warmup})`);
  return `<span class="num">${at(q.medianDecidedAt)} · ${at(q.p95DecidedAt)}</span>${q.decided < q.trials ? ` <span class="note">${q.trials - q.decided} of ${q.trials} undecided</span>` : ''}`;
}

export function calibrationSection(cal: CalibrationResult): string {
  const seq = cal.options.sequential;
  const rows = cal.summaries.map((s) => [
    esc(s.backend),
    esc(s.fixture),
    esc(s.expectedWhere),
    seq ? decidedCell(s.sequential) : `<span class="num">${s.iterationsToDetect ?? 'never'}</span>`,
    `<span class="num">${s.falsePositiveRate === null ? '' : `${(s.falsePositiveRate * 100).toFixed(0)}%`}</span>`,
    `<span class="num">${s.trueBytesPerIteration === null ? '—' : `${s.trueBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.estimatedBytesPerIteration === null ? '—' : `${s.estimatedBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.relativeError === null ? '' : `${(s.relativeError * 100).toFixed(1)}%`}</span>`,
    esc(s.byIterations.map((b) => `${b.iterations}: ${b.correct}/${b.trials}${confusionText(b)}`).join(', ')),
  ]);
  const chart = rateChart(
    cal.summaries.flatMap((s) => s.byIterations.map((b) => ({ group: s.backend, label: s.fixture, x: b.iterations, rate: b.trials ? b.correct / b.trials : 0 }))),
  );
  const how = seq
    ? `<p>Sequential trials (<code>--until-decided</code>): each stopped at the first look that decided it (${sequentialBoundsText(seq)} iterations), warm-up ${seq.warmup}. “Decided at”: the deciding look's iteration, median · 95th percentile over the trials (in brackets: after the warm-up); an undecided trial counts as more than the maximum.</p>`
    : '';
  const module = cal.options.backendModule ? cal.options.backendModule.split('/').pop()! : null;
  const through = module
    ? `<p>Backend module <code>${esc(module)}</code> (${esc(cal.options.backends.join(', '))}), measured through leakbench's own probes as <code>run --backend-module</code> measures any module; its true growth is the module's own measure of each shape's block.</p>`
    : '';
  return `<h2>Calibration (fixtures as ground truth)${module ? ` of ${esc(module)}` : ''}${cal.options.host ? `, host profile ${esc(cal.options.host)}` : ''}${seq ? ', sequential' : ''}</h2>${through}${how}
<p>Model ${esc(cal.options.model)}, GC ${esc(cal.options.gc)}${cal.options.host ? `, host profile ${esc(cal.options.host)}` : ''}, ${cal.options.trials} trials per count (none: ${cal.options.noneTrials}), each a fresh process; trials recorded at leakbench commit ${esc(cal.environment.commit ?? '—')} on ${esc(cal.createdAt.slice(0, 10))}${cal.analysed ? `, judged by the verdict rules of commit ${esc(cal.analysed.commit ?? '—')}` : ''}. “Correct” is <i>leak</i> in the expected layer, or <i>no-leak</i> for <code>none</code> and the other non-leaks; “right from”: the smallest count from which every trial, there and above, was correct; in brackets, the confusion row: how many trials were judged Leak, No-leak and Inconclusive. Estimated: the bytes/iteration the verdicts attributed to the shape's place (median at the largest count); true growth measured where the shape allocates (in C for C shapes, a Buffer's payload).</p>
${table(['backend', 'fixture', 'expected', seq ? 'decided at (median · p95)' : 'right from (iterations)', 'false positives', 'true growth/iter', 'estimated/iter', 'error', 'correct per count'], rows)}
<figure>${chart}</figure>`;
}
