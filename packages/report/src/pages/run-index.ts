// A run's index: the backend × fixture verdict matrix per model, links to comparisons, environment, builds and
// (when the run is a calibration or carries one) the calibration section.
import { badge, esc, formatBytes, page, ratioText, statusBadge, table } from '../html.js';
import { parseFixture, zooEntry, type BenchResult } from '@leakbench/core';
import { sequentialBoundsText } from '@leakbench/analysis';
import { decisionGrids } from '../plots.js';
import type { CellView, RunView } from '../model.js';
import { calibrationSection } from './calibration.js';

function matrixCell(c: CellView | undefined): string {
  if (!c) return '<span class="note">—</span>';
  const v = c.verdict;
  const rate = v?.bytesPerIteration != null ? `<span class="num">${esc(formatBytes(v.bytesPerIteration))}/iter ± ${esc(formatBytes((v.ciHigh! - v.ciLow!) / 2))}</span><br>` : '';
  // A sequential cell: where its deciding look was (or that none decided), beside how far it ran.
  const seq = v?.sequential;
  const ran = seq ? `${seq.decidedAt !== null ? `decided at ${seq.decidedAt}, ` : `undecided at ${seq.judgedTo}, `}ran to ${c.iterationsDone} of ≤ ${c.iterations} it.` : `${c.iterationsDone}/${c.iterations} it.`;
  return `<a href="${esc(c.href)}">${badge(v?.decision)}</a> ${v?.where ? esc(v.where) : ''}<br>${rate}<span class="note">${ran}</span> ${statusBadge(c.status)}`;
}

function modelSection(run: RunView, model: string): string {
  const rows = run.backends.map((backend) => [
    `<b>${esc(backend)}</b>`,
    ...run.fixtures.map((fixture) => matrixCell(run.cells.find((c) => c.backend === backend && c.model === model && c.fixture === fixture))),
  ]);
  const links = run.comparisons
    .filter((c) => c.model === model)
    .map((c) => `<a href="${esc(c.file)}">${esc(c.fixture)}</a> (${c.ratios.map((r) => `${esc(r.b)}/${esc(r.a)} ${esc(ratioText(r.ratio))}`).join(', ')})`);
  return `<h2>${esc(model)}</h2>${table(['backend', ...run.fixtures.map((f) => esc(f))], rows)}${
    links.length ? `<p>backends compared, with the time ratio per iteration and its 95% bootstrap interval (cells in separate processes): ${links.join(' · ')}</p>` : ''
  }`;
}

/** Runs with more cells than this (calibrations) leave "when each layer decided" to each cell's page. */
const DECIDED_MAX_CELLS = 16;

/** Whether a fixture id is a leak shape of the zoo (null: not a zoo id, e.g. a plug-in backend's own). */
function fixtureLeaks(id: string): boolean | null {
  try {
    return zooEntry(parseFixture(id).kind).leaks;
  } catch {
    return null;
  }
}

/**
 * When each layer of each cell decided, side by side: the verdict of every cell's series cut after 10, 20, 50, …
 * iterations (its cell page has the same per cell). Over a soak this is the study's question — how many iterations
 * RSS, VMS, the allocator and the module heap each need to call a leaked double a leak — answered from one run.
 */
function decidedSection(run: RunView): string {
  const cells = run.cells.filter((c) => c.timeline.length);
  if (!cells.length || cells.length > DECIDED_MAX_CELLS) return '';
  const layers = [...new Set(cells.flatMap((c) => c.timeline.map((t) => t.layer)))];
  const truth = (c: CellView) => {
    const leaks = fixtureLeaks(c.fixture);
    return leaks === null ? 'not a zoo shape' : leaks ? 'a leak' : 'no leak';
  };
  const head = ['layer', ...cells.map((c) => `<a href="${esc(c.href)}">${esc(c.id)}</a><br><span class="note">${truth(c)}</span>`)];
  const rows = layers.map((layer) => [
    esc(layer),
    ...cells.map((c) => {
      const t = c.timeline.find((x) => x.layer === layer);
      if (!t) return '<span class="note">—</span>';
      return t.settled ? `${badge(t.settled.decision)} <span class="num">from ${t.settled.from}</span>` : `${badge('inconclusive')} <span class="note">not yet</span>`;
    }),
  ]);
  const grid = decisionGrids(cells.flatMap((c) => c.timeline.flatMap((t) => t.points.map((p) => ({ cell: c.id, layer: t.layer, iterations: p.iterations, decision: p.decision })))));
  return `<h2>When each layer decided</h2>
<p class="note">${
    run.options.sequential
      ? "Each cell's verdict per layer at each look it took (run --until-decided), up to the one that decided it — each look judges the series up to it, at its own levels (no attribution pass). \"From\": the first look from which the layer keeps its final decision; under each cell, what its fixture is."
      : 'Each cell\'s verdict per layer on its series cut after this many iterations — what a run of that length would have been told (same warm-up and host guards, no attribution pass). "From": the first cut from which the layer keeps its final decision; under each cell, what its fixture is.'
  }</p>
<figure>${grid}</figure>
${table(head, rows)}`;
}

/** Where a run's cells ran: the shards a merged run joined, each on its machine; what part of a matrix a shard is. */
function shards(run: RunView): string {
  const s = run.options.shard;
  if (s) return `<p>Shard ${s.index}/${s.count} of a matrix of ${s.matrix.length} cells (join the shards with <code>leakbench merge</code>).</p>\n`;
  if (!run.merged.length) return '';
  const rows = run.merged.map((m) => [esc(m.shard), `<code>${esc(m.id)}</code>`, esc(m.environment.hostname), esc(`${m.environment.cpu} × ${m.environment.cpus}`), esc(m.environment.commit ?? '—')]);
  return `<h2>Shards</h2>\n<p>Merged from ${run.merged.length} shard runs (<code>leakbench merge</code>); the environment above is the first shard's.</p>\n${table(['shard', 'run', 'machine', 'CPU', 'commit'], rows)}\n`;
}

/** The backends timed side by side in one process (`leakbench bench`): medians, ratios with intervals, the work. */
export function benchSection(b: BenchResult): string {
  const [baseline, ...others] = b.options.backends;
  const rows = b.hosts.flatMap((h) =>
    h.models.map((m) => [
      esc(h.host.profile),
      esc(m.model),
      ...b.options.backends.map((id) => `<span class="num">${m.medianMs[id] !== undefined ? m.medianMs[id]!.toFixed(3) : '—'}</span>`),
      ...others.map((id) => `<b class="num">${esc(ratioText(m.ratios[id]))}</b>`),
      m.identical && !m.steps[baseline!] ? 'nothing to compare (no trace: iterate() only)' : m.identical ? `identical (${m.steps[baseline!]} steps)` : `<b>different</b>: steps ${esc(Object.entries(m.steps).map(([id, n]) => `${id} ${n}`).join(', '))}, max |Δ| ${esc(m.maxAbsDifference.toPrecision(3))}`,
    ]),
  );
  const builds = b.options.backends.map((id) => [esc(b.builds[id]?.runtime ? `${id} (runs in ${b.builds[id]!.runtime})` : id), `<code>${esc(b.builds[id]?.optFlags ?? '—')}</code>`, esc(b.builds[id]?.mathLibrary ?? '—')]);
  const level = b.hosts[0]?.models[0]?.ratios[others[0] ?? '']?.level ?? 0.95;
  const profiles = b.hosts.flatMap((h) =>
    h.models.flatMap((m) => {
      const p = m.profile;
      if (!p) return [];
      const rows = p.functions.map((f) => [
        `<code>${esc(f.function)}</code>`,
        ...b.options.backends.map((id) => `<span class="num">${(f.msPerCall[id] ?? 0).toFixed(3)}</span>`),
        ...others.map((id) => `<span class="num">${((f.msPerCall[id] ?? 0) - (f.msPerCall[baseline!] ?? 0)).toFixed(3)}</span>`),
      ]);
      const share = b.options.backends.map((id) => `${esc(id)} ${p.samples[id] ?? 0} samples, ${(((p.workloadShare[id] ?? 0) * 100)).toFixed(0)}% of its process`).join('; ');
      return [`<h3>Where the time goes: ${esc(h.host.profile)}, ${esc(m.model)}</h3>
<p class="note">ms per call by function: its share of the perf samples in the workload's code (${share}) times the median time per call above. A function inlined into its caller on one side counts in the caller's row there.</p>
${table(['function', ...b.options.backends.map((id) => `${esc(id)} ms`), ...others.map((id) => `${esc(id)} − ${esc(baseline)}`)], rows)}`];
    }),
  );
  return `<h2>Speed, side by side (leakbench bench)</h2>
<p>Every backend in one process, ${b.options.processes} fresh process(es) per host profile, one call each per round in an order rotated every round, ${b.options.rounds} measured rounds per process after ${b.options.warmup} warm-up rounds; median ms per call, and each backend's ratio to ${esc(baseline)} with a ${level * 100}% paired bootstrap interval (processes resampled, then their rounds). “Same work”: every backend's trace equal to ${esc(baseline)}'s bit for bit, with the same CVODE steps. Measured ${esc(b.createdAt)} at commit ${esc(b.environment.commit ?? '—')} on ${esc(`${b.environment.cpu} × ${b.environment.cpus}`)}.</p>
${table(['host', 'model', ...b.options.backends.map((id) => `${esc(id)} ms`), ...others.map((id) => `${esc(id)}/${esc(baseline)}`), 'same work'], rows)}
${table(['backend', 'build profile', 'math library'], builds)}
${profiles.join('\n')}`;
}

/** `notes`: HTML placed first (e.g. runs that could not be read). */
export function runIndex(run: RunView, root: string, notes = ''): string {
  const o = run.options;
  const env = run.environment;
  const builds = run.builds.map(({ backend, build }) => [
    esc(build?.runtime ? `${backend} (runs in ${build.runtime})` : backend),
    build ? esc(`${build.compiler} ${build.compilerVersion}`) : '—',
    esc(build?.emccVersion ?? '—'),
    esc(build?.sundialsVersion ?? '—'),
    esc(build?.optFlags ?? '—'),
    esc(build?.allocator ?? '—'),
    esc(build?.mathLibrary ?? '—'),
  ]);
  const body = `${notes}
<p>Run <code>${esc(run.id)}</code>, created ${esc(run.createdAt)}; ${run.cells.length} cells, ${
    o.sequential
      ? `each stopped at the first look that decided it (run --until-decided: ${sequentialBoundsText(o.sequential)} iterations)`
      : `${o.iterations} iterations each`
  } (warm-up ${o.warmup}), GC policy ${esc(o.gc)}, host profile ${esc(o.host.profile)}${o.recycle ? `, a fresh process per cell every ${o.recycle} iterations (worker recycling)` : ''}.</p>
${run.failed.length ? `<p><b>${run.failed.length} cell(s) did not finish:</b> ${run.failed.map((c) => `${esc(c.id)} ${statusBadge(c.status)}`).join(', ')}</p>` : ''}
${run.models.map((m) => modelSection(run, m)).join('\n')}
${decidedSection(run)}
<h2>Environment</h2>
${table(['', ''], [
  ['Node / V8', esc(`${env.node} / ${env.v8}`)],
  ['OS', esc(`${env.os} ${env.arch}`)],
  ['CPU', esc(`${env.cpu} × ${env.cpus}`)],
  ['memory', esc(formatBytes(env.totalMemBytes))],
  ['commit', esc(env.commit ?? '—')],
  ['cell node flags', esc(o.host.nodeFlags.join(' ') || '—')],
  ['cell environment', esc(Object.entries(o.host.env).map(([k, v]) => `${k}=${v}`).join(' ') || '—')],
  ['numerics', o.host.numerics === 'portable' ? "portable (glibc's FMA variants masked: every backend computes the same)" : 'host (what the CPU offers)'],
])}
${table(['backend', 'compiler', 'emcc', 'SUNDIALS', 'build profile', 'allocator', 'math library'], builds)}
${run.bench ? benchSection(run.bench) : ''}
${shards(run)}${run.calibrations.map(calibrationSection).join('\n')}`;
  return page(`run ${run.id}`, body, root);
}
