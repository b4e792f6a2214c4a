// `leakbench check`: the CI gate. Fails when a cell whose fixture is `none` leaks (the real workload leaks), when
// it cannot tell (inconclusive: it says how many iterations would decide it; `allowInconclusive` opts out), when
// the run has no `none` cell at all (nothing judged the real workload), or, against a baseline run, when any
// layer's rate rose beyond its confidence interval. A gate that cannot decide fails and says why.
import { RunDataError, readAttribution, readManifest, readRun, readSamples, runPaths, writeVerdict } from '@leakbench/core';
import type { Attribution, CellSpec, CellVerdict, LayerVerdict, RunManifest, Sample, SequentialSpec } from '@leakbench/core';
import { analyseCell, compareRates, hostTraits, isSequential, iterationsToDecide, NO_LEAK_HORIZON, SequentialLooks, sequentialTimeline, sequentialVerdict, verdictTimeline, type LayerTimeline } from './verdict/index.js';

export interface CheckFinding {
  cell: string;
  kind: 'workload-leak' | 'workload-inconclusive' | 'no-workload-cell' | 'rate-rose';
  layer: string;
  message: string;
}

export interface CheckResult {
  run: string;
  baseline: string | null;
  ok: boolean;
  findings: CheckFinding[];
  /** `notMeasured`: the cell's C heap layers no probe measured (absent: all were) — a pass says nothing of them. */
  cells: { cell: string; fixture: string; decision: string; summary: string; notMeasured?: string[] }[];
}

/** Reads a run for checking; an incomplete run (cells not ok, or verdicts missing) is bad input. */
function completeRun(dir: string) {
  const run = readRun(dir);
  const unfinished = run.cells.filter((c) => c.record.status !== 'ok');
  if (unfinished.length) {
    throw new RunDataError(runPaths(dir).manifest, `run is incomplete: ${unfinished.map((c) => `${c.record.spec.id} (${c.record.status})`).join(', ')}; finish it with leakbench run --resume ${dir}`);
  }
  const missing = run.cells.filter((c) => !c.verdict);
  if (missing.length) throw new RunDataError(runPaths(dir).verdict(missing[0]!.record.spec.id), 'verdict missing');
  return run;
}

const byLayer = (v: CellVerdict) => new Map(v.layers.map((l) => [l.layer, l] as [string, LayerVerdict]));

export interface CheckOptions {
  /** Let an inconclusive `none` cell pass (the default fails it). */
  allowInconclusive?: boolean;
}

/** The finding for a `none` cell that could not be decided, with the iterations that would decide it. */
function inconclusiveFinding(v: CellVerdict, spec: Pick<CellSpec, 'warmup' | 'iterations'>): CheckFinding {
  const deferred = new Set(v.settle?.deferredLayers ?? []);
  const open = v.layers.filter((l) => l.decision === 'inconclusive' && !deferred.has(l.layer));
  // A sequential cell was judged up to its last look (the iterations it ran past it were not judged).
  const iterations = v.sequential?.judgedTo ?? spec.iterations;
  // A sequential no-leak also needs its window past the warm-up (sequential.ts NO_LEAK_HORIZON).
  const horizon = v.sequential ? spec.warmup + NO_LEAK_HORIZON : 0;
  const needed = Math.max(iterations + 1, horizon, ...open.map((l) => iterationsToDecide(l, { warmup: spec.warmup }, v.layers) ?? 0));
  const rerun = v.sequential ? `leakbench run --until-decided --max-iterations ${needed}` : `leakbench run --iterations ${needed}`;
  return {
    cell: v.cellId,
    kind: 'workload-inconclusive',
    layer: open.map((l) => l.layer).join('+') || 'unknown',
    message: `the workload cell could not be decided after ${iterations} iterations (${v.summary}); about ${needed} iterations would decide it (${rerun}), or pass --allow-inconclusive`,
  };
}

export function checkRun(dir: string, baselineDir: string | null = null, options: CheckOptions = {}): CheckResult {
  const run = completeRun(dir);
  const baseline = baselineDir ? completeRun(baselineDir) : null;
  const findings: CheckFinding[] = [];
  if (!run.cells.some((c) => c.record.spec.fixture === 'none')) {
    findings.push({ cell: '(run)', kind: 'no-workload-cell', layer: 'none', message: 'the run has no `none` cell, so nothing judged the real workload; run with --fixtures none (plus any others)' });
  }
  for (const cell of run.cells) {
    const v = cell.verdict!;
    if (cell.record.spec.fixture === 'none' && v.decision === 'leak') {
      // JS heap growth without an attribution pass may be V8's own (a stock Node's JIT): say how to tell.
      const where = v.where === 'js-heap' && !cell.attribution ? `; to see where (and whether it is the program's objects or V8's own): leakbench attribute ${dir} --cells ${v.cellId}` : '';
      findings.push({ cell: v.cellId, kind: 'workload-leak', layer: v.explainedBy.join('+') || 'unknown', message: `the workload itself leaks: ${v.summary}${where}` });
    }
    if (cell.record.spec.fixture === 'none' && v.decision === 'inconclusive' && !options.allowInconclusive) {
      findings.push(inconclusiveFinding(v, cell.record.spec));
    }
    const base = baseline?.cells.find((c) => c.record.spec.id === v.cellId)?.verdict;
    if (!base) continue;
    const baseLayers = byLayer(base);
    for (const layer of v.layers) {
      const b = baseLayers.get(layer.layer);
      if (!b) continue;
      const cmp = compareRates(b, layer);
      if (cmp.rose) {
        findings.push({
          cell: v.cellId,
          kind: 'rate-rose',
          layer: layer.layer,
          message: `${layer.layer} rose from ${b.slope.toFixed(1)} (CI ${b.ciLow.toFixed(1)}–${b.ciHigh.toFixed(1)}) to ${layer.slope.toFixed(1)} B/iter (CI ${layer.ciLow.toFixed(1)}–${layer.ciHigh.toFixed(1)})`,
        });
      }
    }
  }
  return {
    run: dir,
    baseline: baselineDir,
    ok: findings.length === 0,
    findings,
    cells: run.cells.map((c) => ({
      cell: c.record.spec.id,
      fixture: c.record.spec.fixture,
      decision: c.verdict!.decision,
      summary: c.verdict!.summary,
      ...(c.verdict!.notMeasured?.length ? { notMeasured: c.verdict!.notMeasured } : {}),
    })),
  };
}

/** A cell's verdict options: its warm-up and its run's host traits. */
const cellOptions = (spec: Pick<CellSpec, 'warmup'>, host: RunManifest['options']['host']) => ({ warmup: spec.warmup, host: hostTraits(host) });

/**
 * A cell's verdict as every caller computes it (the harness when the cell ends and after its attribution pass,
 * `analyse`, `check`, `attribute`): its series, its run's host settings, its attribution pass when it has one.
 */
export function judgeCell(spec: Pick<CellSpec, 'id' | 'warmup' | 'sequential'>, samples: Sample[], host: RunManifest['options']['host'], attribution: Attribution | null = null): CellVerdict {
  const options = { ...cellOptions(spec, host), attribution };
  return isSequential(spec) ? sequentialVerdict(spec, samples, options) : analyseCell(spec.id, samples, options);
}

/** The looks of a sequential cell while it runs (the harness stops the cell when one decides it). */
export const cellLooks = (spec: Pick<CellSpec, 'id' | 'warmup'> & { sequential: SequentialSpec }, host: RunManifest['options']['host']) => new SequentialLooks(spec, cellOptions(spec, host));

/** When each layer of a cell decided — at cuts of its series (verdictTimeline), or a sequential cell's looks — judged with its run's host settings. */
export function cellTimeline(spec: Pick<CellSpec, 'id' | 'warmup' | 'sequential'>, samples: Sample[], host: RunManifest['options']['host']): LayerTimeline[] {
  const options = cellOptions(spec, host);
  return isSequential(spec) ? sequentialTimeline(spec, samples, options) : verdictTimeline(spec.id, samples, options);
}

/**
 * When runs attribute: 'all' cells, 'none', or 'auto' — the cells whose verdict the series alone cannot settle: with
 * V8's JIT on (host profile stock), a JS heap judged leak or inconclusive (the JIT's own objects grow it for
 * thousands of iterations and its heap steps hide small leaks; the pass's heap snapshots tell the program's objects
 * from V8's). With the JIT off the JS heap's series is exact and a pass would only add where.
 */
export type AttributeWhen = 'all' | 'auto' | 'none';

export function needsAttribution(when: AttributeWhen, verdict: CellVerdict | null, host: RunManifest['options']['host']): boolean {
  if (when !== 'auto') return when === 'all';
  const heap = verdict?.layers.find((l) => l.layer === 'heapUsedBytes')?.decision;
  return hostTraits(host).jit && (heap === 'leak' || heap === 'inconclusive');
}

const measured = (samples: Sample[]) => samples.some((s) => s.phase === 'measure');

/** Recomputes every cell's verdict from its stored series and stores it (e.g. after the method improved). */
export function reanalyseRun(dir: string): CellVerdict[] {
  const run = readRun(dir);
  const out: CellVerdict[] = [];
  for (const cell of run.cells) {
    if (!measured(cell.samples)) continue;
    const v = judgeCell(cell.record.spec, cell.samples, run.manifest.options.host, cell.attribution);
    writeVerdict(dir, v);
    out.push(v);
  }
  return out;
}

/** Recomputes and stores one cell's verdict (after its attribution pass), reading that cell only; null when it has no measured series. */
export function reanalyseCell(dir: string, cellId: string): CellVerdict | null {
  const manifest = readManifest(dir);
  const record = manifest.cells.find((c) => c.spec.id === cellId);
  if (!record) return null;
  const { samples } = readSamples(runPaths(dir).samples(cellId));
  if (!measured(samples)) return null;
  const v = judgeCell(record.spec, samples, manifest.options.host, readAttribution(dir, cellId));
  writeVerdict(dir, v);
  return v;
}
