// Text the CLI prints: simulation traces (CSV/JSON), calibration tables, check and run outcomes. Pure: data in,
// strings out; the commands write them.
import { definedAtText, formatBytes, retainerText, storeModuleText } from '@leakbench/core';
import type { Attribution, Backend, BenchResult, CalibrationResult, CellVerdict, SimulationResult } from '@leakbench/core';
import { confusionText, type CheckResult } from '@leakbench/analysis';
import type { RunOutcome } from '@leakbench/harness';

const fmt = (x: number | null, digits = 1) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(digits));

export function formatCalibration(r: CalibrationResult): string {
  const seq = r.options.sequential;
  const lines = [
    `calibration: model ${r.options.model}, gc ${r.options.gc}, host ${r.options.host ?? '—'}${r.options.attribute ? ', with attribution passes' : ''}, ${
      seq ? `sequential (until decided: looks from ${seq.minIterations}, at most ${seq.maxIterations}, warm-up ${seq.warmup})` : `counts ${r.options.iterationCounts.join('/')}`
    }, ${r.options.trials} trials (none: ${r.options.noneTrials})`,
    `backend  fixture        expected          ${seq ? 'decided at: median  p95  (after warm-up)' : 'right@'}   false+  true B/it  est B/it  error   correct per count (judged Leak / No-leak / Inconclusive)`,
  ];
  for (const s of r.summaries) {
    lines.push(
      [
        s.backend.padEnd(8),
        s.fixture.padEnd(14),
        s.expectedWhere.padEnd(17),
        seq ? decidedText(s.sequential).padStart(41) : String(s.iterationsToDetect ?? 'never').padStart(7),
        (s.falsePositiveRate === null ? '' : `${(s.falsePositiveRate * 100).toFixed(0)}%`).padStart(6),
        fmt(s.trueBytesPerIteration).padStart(9),
        fmt(s.estimatedBytesPerIteration).padStart(9),
        (s.relativeError === null ? '' : `${(s.relativeError * 100).toFixed(1)}%`).padStart(6),
        '  ' + s.byIterations.map((b) => `${b.iterations}:${b.correct}/${b.trials}${confusionText(b)}`).join(' '),
      ].join(' '),
    );
  }
  return lines.join('\n') + '\n';
}

/** Iterations to a decision of sequential trials: median and 95th percentile, and after the warm-up. */
export function decidedText(q: CalibrationResult['summaries'][number]['sequential']): string {
  if (!q) return '—';
  const at = (x: number | null) => (x === null ? 'undecided' : String(x));
  const after = (x: number | null) => (x === null ? '—' : String(x - q.warmup));
  return `${at(q.medianDecidedAt)}  ${at(q.p95DecidedAt)}  (${after(q.medianDecidedAt)}, ${after(q.p95DecidedAt)})${q.decided < q.trials ? ` ${q.trials - q.decided} undecided` : ''}`;
}

/** Rows of [t, ...states] as arrays. */
/** The bench as a table: per host profile and model, each backend's median ms per call, the ratios and the work. */
export function formatBench(r: BenchResult): string {
  const [baseline, ...others] = r.options.backends;
  const lines = [
    `bench: ${r.options.processes} process(es) per host profile, each ${r.options.rounds} interleaved rounds after ${r.options.warmup} warm-up; ratios over ${baseline} (median, ${others.length ? `${(r.hosts[0]?.models[0]?.ratios[others[0]!]?.level ?? 0.95) * 100}% bootstrap interval over processes and their rounds` : ''})`,
    ...r.options.backends.map((b) => `  ${b}: ${r.builds[b]?.optFlags ?? '—'}; ${r.builds[b]?.mathLibrary ?? '—'}${r.builds[b]?.runtime ? `; runs in ${r.builds[b]!.runtime}` : ''}`),
    ['host'.padEnd(7), 'model'.padEnd(8), ...r.options.backends.map((b) => `${b} ms`.padStart(10)), ...others.map((b) => `${b}/${baseline}`.padStart(24)), '  same work?'].join(' '),
  ];
  for (const h of r.hosts) {
    for (const m of h.models) {
      // A module that only iterates returns no trace: there is nothing to compare, and that is said.
      const work = m.identical && !m.steps[baseline!] ? 'nothing to compare (no trace: iterate() only)' : m.identical ? `identical (${m.steps[baseline!]} steps)` : `DIFFERENT: steps ${Object.entries(m.steps).map(([b, n]) => `${b} ${n}`).join(', ')}; max |Δ| ${m.maxAbsDifference.toPrecision(3)}`;
      lines.push(
        [
          `${h.host.profile}`.padEnd(7),
          m.model.padEnd(8),
          ...r.options.backends.map((b) => (m.medianMs[b] ?? NaN).toFixed(3).padStart(10)),
          ...others.map((b) => {
            const e = m.ratios[b]!;
            return `${e.ratio.toFixed(3)} [${e.ciLow.toFixed(3)}, ${e.ciHigh.toFixed(3)}]`.padStart(24);
          }),
          '  ' + work,
        ].join(' '),
      );
    }
  }
  for (const h of r.hosts) {
    for (const m of h.models) {
      if (!m.profile) continue;
      const p = m.profile;
      lines.push(
        '',
        `where the time goes: ${h.host.profile} ${m.model}, ms per call by function (perf samples in the workload's code: ${r.options.backends.map((b) => `${b} ${p.samples[b]} = ${((p.workloadShare[b] ?? 0) * 100).toFixed(0)}% of its process`).join(', ')})`,
        ['function'.padEnd(32), ...r.options.backends.map((b) => b.padStart(9)), ...others.map((b) => `${b}−${baseline}`.padStart(13))].join(' '),
        ...p.functions.map((f) =>
          [f.function.slice(0, 32).padEnd(32), ...r.options.backends.map((b) => (f.msPerCall[b] ?? 0).toFixed(3).padStart(9)), ...others.map((b) => ((f.msPerCall[b] ?? 0) - (f.msPerCall[baseline!] ?? 0)).toFixed(3).padStart(13))].join(' '),
        ),
      );
    }
  }
  return lines.join('\n') + '\n';
}

export function traceRows(r: SimulationResult): number[][] {
  const cols = r.stateNames.length + 1;
  return Array.from({ length: r.rows }, (_, i) => Array.from(r.trace.subarray(i * cols, (i + 1) * cols)));
}

export function formatCsv(r: SimulationResult): string {
  const lines = [['t', ...r.stateNames].join(',')];
  for (const row of traceRows(r)) lines.push(row.map((v) => String(v)).join(','));
  const s = r.stats;
  lines.push(`# steps=${s.steps} rhsEvals=${s.rhsEvals} jacEvals=${s.jacEvals} finalTime=${s.finalTime}`);
  return lines.join('\n') + '\n';
}

export function formatJson(r: SimulationResult, backend: Backend, model: string): string {
  return JSON.stringify({ backend: backend.id, model, build: backend.info(), stats: r.stats, columns: ['t', ...r.stateNames], rows: traceRows(r) }) + '\n';
}

export function formatCheck(r: CheckResult): string {
  const lines = r.cells.map((c) => `  ${c.cell.padEnd(32)} ${c.decision.padEnd(12)} ${c.summary}`);
  for (const f of r.findings) lines.push(`FAIL ${f.cell}: ${f.message}`);
  // A gate that passes says what it did not look at: C heap layers no probe measured in a cell.
  const blind = r.cells.filter((c) => c.notMeasured?.length).map((c) => `${c.cell} (${c.notMeasured!.join(', ')})`);
  if (blind.length) lines.push(`not measured, so not judged: ${blind.join('; ')}`);
  lines.push(r.ok ? 'check passed' : `check failed: ${r.findings.length} finding(s)`);
  return lines.join('\n') + '\n';
}

export function formatVerdicts(verdicts: CellVerdict[]): string {
  return verdicts.map((v) => `  ${v.cellId.padEnd(32)} ${v.summary}\n`).join('');
}

export interface OutcomeRow {
  cell: string;
  status: string;
  samples: number;
  error: string | null;
  verdict: CellVerdict | null;
}

export function formatOutcome(dir: string, outcome: RunOutcome, rows: OutcomeRow[]): string {
  const lines = [`run: ${dir}`];
  for (const r of rows) lines.push(`  ${r.cell.padEnd(32)} ${r.status.padEnd(11)} ${String(r.samples).padStart(6)} samples  ${r.verdict?.summary ?? ''}`);
  if (outcome.failed.length) {
    lines.push(`failed cells: ${outcome.failed.map((c) => `${c.spec.id} (${c.status}${c.error ? `: ${c.error}` : ''})`).join(', ')}`);
    lines.push(`re-run them with: leakbench run --resume ${dir}`);
  }
  return lines.join('\n') + '\n';
}

/** A cell's attribution: the growing sites (program first) with bytes/iteration and the path that holds them. */
export function formatAttribution(a: Attribution, verdict: CellVerdict | null): string {
  const [s0, , s2] = a.snapshots;
  const lines = [
    `${a.cellId}: heap snapshots after iterations ${a.snapshots.map((s) => s.iteration).join(', ')} of ${a.iterations} (${(a.wallMs / 1000).toFixed(1)} s)` +
      (verdict ? `; verdict: ${verdict.summary}` : ''),
  ];
  const program = a.js.sites.filter((s) => s.owner === 'program');
  if (!program.length) lines.push(`  no growing JS objects of the program between iterations ${s0?.iteration} and ${s2?.iteration}`);
  for (const s of program) {
    const ext = s.externalBytesPerIteration > 0 ? ` + ${formatBytes(s.externalBytesPerIteration)}/iter external` : '';
    const defined = definedAtText(s.definedAt);
    lines.push(`  ${s.name.padEnd(28)} ${formatBytes(s.bytesPerIteration).padStart(9)}/iter${ext}  ${s.objectsPerIteration.toFixed(2)} objects/iter${defined ? `  defined at ${defined}` : ''}`);
    if (s.retainers.length) lines.push(`      held by ${retainerText(s.retainers)}`);
  }
  if (a.js.engineBytesPerIteration > 0) lines.push(`  V8's own objects (JIT code, feedback, maps): ${formatBytes(a.js.engineBytesPerIteration)}/iter — not the program's`);
  if (a.c) {
    if (!a.c.sites.length) lines.push(`  no growing C heap allocation site of the module between iterations ${s0?.iteration} and ${s2?.iteration}`);
    for (const s of a.c.sites) {
      const named = s.nameSource && s.nameSource !== 'dwarf' ? ` [named by ${s.nameSource}]` : '';
      lines.push(`  C heap: ${formatBytes(s.bytesPerIteration).padStart(9)}/iter  ${s.blocksPerIteration.toFixed(2)} blocks/iter  allocated at ${s.site}${named}`);
      if (s.callers.length) lines.push(`      called from ${s.callers.map((c) => `${c.caller} ${formatBytes(c.bytesPerIteration)}/iter`).join(' · ')}`);
      else lines.push(`      called from ${s.stack.slice(1, 5).join(' ← ')}`);
    }
    for (const m of a.c.modules.filter((m) => !m.debugInfo && a.c!.sites.some((s) => s.stack.length))) lines.push(`  ${m.module.replace(/^.*\//, '')}: ${m.naming}`);
  } else if (a.cNotRecorded) lines.push(`  C heap sites not recorded: ${a.cNotRecorded}`);
  for (const st of a.stores) lines.push(`  ${st.kind} of ${storeModuleText(st)}: ${formatBytes(st.bytesPerIteration)}/iter (${formatBytes(st.bytes)} at iteration ${s2?.iteration}; linear memory never shrinks)`);
  return lines.join('\n') + '\n';
}
