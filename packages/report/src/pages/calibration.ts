// The calibration section of a run's index: detection per fixture and iteration count, false positives, and
// estimated against true growth per leaked block.
import type { CalibrationResult } from '@leakbench/core';
import { confusionText } from '@leakbench/analysis';
import { esc, table } from '../html.js';
import { rateChart } from '../plots.js';

export function calibrationSection(cal: CalibrationResult): string {
  const rows = cal.summaries.map((s) => [
    esc(s.backend),
    esc(s.fixture),
    esc(s.expectedWhere),
    `<span class="num">${s.iterationsToDetect ?? (s.expectedWhere === 'none' ? '' : 'never')}</span>`,
    `<span class="num">${s.falsePositiveRate === null ? '' : `${(s.falsePositiveRate * 100).toFixed(0)}%`}</span>`,
    `<span class="num">${s.trueBytesPerIteration === null ? '—' : `${s.trueBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.estimatedBytesPerIteration === null ? '—' : `${s.estimatedBytesPerIteration.toFixed(1)} B`}</span>`,
    `<span class="num">${s.relativeError === null ? '' : `${(s.relativeError * 100).toFixed(1)}%`}</span>`,
    esc(s.byIterations.map((b) => `${b.iterations}: ${b.correct}/${b.trials}${confusionText(b)}`).join(', ')),
  ]);
  const chart = rateChart(
    cal.summaries.flatMap((s) => s.byIterations.map((b) => ({ group: s.backend, label: s.fixture, x: b.iterations, rate: b.trials ? b.correct / b.trials : 0 }))),
  );
  return `<h2>Calibration (fixtures as ground truth)</h2>
<p>Model ${esc(cal.options.model)}, GC ${esc(cal.options.gc)}${cal.options.host ? `, host profile ${esc(cal.options.host)}` : ''}, ${cal.options.trials} trials per count (none: ${cal.options.noneTrials}). “Correct” is <i>leak</i> in the expected layer, or <i>no-leak</i> for <code>none</code> and the other non-leaks; in brackets, how many trials were judged Leak, No-leak and Inconclusive.</p>
${table(['backend', 'fixture', 'expected', 'iterations to detect', 'false positives', 'true growth/iter', 'estimated/iter', 'error', 'correct per count'], rows)}
<figure>${chart}</figure>`;
}
