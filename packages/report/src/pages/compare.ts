// A comparison page: every backend that ran one model × fixture, layer by layer on shared axes, with their
// verdicts and the time ratio of every pair.
import { badge, esc, formatBytes, page, ratioText, table } from '../html.js';
import type { ComparisonView } from '../model.js';
import { seriesPlot } from '../plots.js';

const fmtMs = (ms: number | null) => (ms === null ? '—' : ms.toFixed(3));

export function comparisonPage(cmp: ComparisonView, runId: string, root: string): string {
  const title = `${cmp.model} · ${cmp.fixture}: ${cmp.cells.map((c) => c.backend).join(' vs ')}`;
  const verdicts = table(
    ['backend', 'verdict', 'where', 'bytes/iteration', 'median iteration time'],
    cmp.cells.map((c) => {
      const v = c.verdict;
      return [
        `<a href="${esc(`../${c.href}`)}">${esc(c.backend)}</a>`,
        badge(v?.decision),
        esc(v?.where ?? '—'),
        esc(v?.bytesPerIteration != null ? `${formatBytes(v.bytesPerIteration)} (${formatBytes(v.ciLow)}–${formatBytes(v.ciHigh)})` : '—'),
        `<span class="num">${fmtMs(c.medianIterationMs)} ms</span>`,
      ];
    }),
  );
  const times = cmp.cells.map((c) => `${esc(c.backend)} ${fmtMs(c.medianIterationMs)} ms`).join(', ');
  const ratios = cmp.ratios.map((r) => `ratio ${esc(r.b)}/${esc(r.a)} = <b>${esc(ratioText(r.ratio))}</b>`).join('; ');
  const level = cmp.ratios.find((r) => r.ratio)?.ratio?.level ?? 0.95;
  const builds = cmp.cells.map((c) => `${esc(c.backend)}: <code>${esc(c.build?.optFlags ?? '—')}</code>; ${esc(c.build?.mathLibrary ?? 'math library not recorded')}${c.build?.runtime ? `; runs in ${esc(c.build.runtime)}` : ''}`).join('<br>');
  const rows = cmp.rows.map((r) => {
    const fig = (p: typeof r.absolute) => `<figure>${p ? seriesPlot(p) : '<p class="note">not measured</p>'}</figure>`;
    return `<div class="row-title">${esc(r.title)}</div>${fig(r.absolute)}${r.change === null ? '' : fig(r.change)}`;
  });
  const body = `<p><a href="../index.html">← run ${esc(runId)}</a></p>
${verdicts}
<p>Time per iteration (median of measured iterations, same run): ${times}; ${ratios} (in brackets: ${level * 100}% bootstrap interval; the cells ran in separate processes — <code>leakbench bench</code> times them side by side).</p>
<p>Builds:<br>${builds}</p>
<p class="note">Layer by layer on shared axes (one plot per layer, every backend); left absolute, right change since the first sample.</p>
<div class="grid"><div><b>absolute value</b></div><div><b>change since the first sample</b></div>${rows.join('\n')}</div>`;
  return page(title, body, root);
}
