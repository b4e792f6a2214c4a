// `leakbench calibrate`: measures how good the verdicts are, using the fixtures as ground truth.
// Every trial is an independent cell (fresh process) of a calibration run directory, so the evidence is kept
// and the report can plot it; summaries go to <dir>/calibration.json.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backend.js';
import { parseFixture, fixtureMallocBytes } from '../fixtures.js';
import { CALIBRATION_SCHEMA, RUN_SCHEMA } from '../schema.js';
import type { CalibrationResult, CalibrationSummary, CalibrationTrial, CellSpec, GcPolicy, RunManifest } from '../schema.js';
import { readManifest, readVerdict, runPaths, writeJsonAtomic, writeManifest } from '../storage.js';
import { reanalyseRun } from '../check.js';
import { findModel } from '../workload.js';
import { collectEnvironment, leakbenchVersion } from './environment.js';
import { executeRun, planRun, type ExecuteOptions } from './run.js';
import { UsageError } from '../errors.js';
import { median } from '../stats/trend.js';
import { hostSettings, type HostProfile } from './host.js';

export interface CalibrateRequest {
  backends: string[];
  model: string;
  fixtures: string[];
  iterationCounts: number[];
  trials: number;
  noneTrials: number;
  gc: GcPolicy;
  jobs: number;
  durationMs?: number;
  host?: HostProfile;
  out: string;
}

export const CALIBRATE_DEFAULTS = {
  fixtures: ['none', 'object', 'list', 'double', 'double100', 'malloc:16', 'malloc:64', 'malloc:256', 'malloc:1024', 'malloc:4096'],
  iterationCounts: [10, 20, 30, 50, 100],
  trials: 5,
  noneTrials: 20,
};

/** Which cell-level `where` a fixture should produce. */
export function expectedWhere(fixture: string): 'none' | 'js-heap' | 'c-allocator' {
  const f = parseFixture(fixture);
  return f.kind === 'none' ? 'none' : f.kind === 'malloc' ? 'c-allocator' : 'js-heap';
}

/** Warm-up used by calibration trials: short, since detection speed is what is measured. */
export const calibrationWarmup = (iterations: number) => Math.max(2, Math.floor(iterations * 0.1));


/**
 * What the allocator really grows per leaked block: measured in C by the backend when it can (median of 21
 * malloc/measure/free), else the median single-call change of the allocator counter with the fixture, minus the
 * same without it (over `calls` calls each, in this process).
 */
export function measureTrueGrowth(backend: Backend, model: string, fixture: string, calls = 200): number | null {
  const f = parseFixture(fixture);
  if (f.kind !== 'malloc') return null;
  // Exact when the backend can measure one block in C, with nothing else allocating in between.
  if (backend.allocatorBlockGrowth) {
    const direct = Array.from({ length: 21 }, () => backend.allocatorBlockGrowth!(f.bytes)).filter((x): x is number => x !== null && x >= 0);
    if (direct.length) return median(direct);
  }
  const m = findModel(backend.models(), model);
  const deltas = (fx: string) => {
    const opts = { model: m.id, durationMs: 5, logIntervalMs: 1, fixture: parseFixture(fx) };
    const out: number[] = [];
    const gc = (globalThis as { gc?: () => void }).gc;
    for (let k = 0; k < calls; k++) {
      gc?.(); // frees the previous call's trace buffer, so the delta is the leaked block alone
      const a = backend.probe().allocatorBytes;
      backend.simulate(opts);
      gc?.();
      const b = backend.probe().allocatorBytes;
      if (a === null || b === null) return null;
      out.push(b - a);
    }
    return median(out);
  };
  const withLeak = deltas(fixture);
  const without = deltas('none');
  return withLeak === null || without === null ? null : withLeak - without;
}

export async function calibrate(req: CalibrateRequest, opts: ExecuteOptions = {}): Promise<CalibrationResult> {
  if (req.iterationCounts.length === 0) throw new UsageError('--iterations needs at least one count');
  if (req.trials < 1 || req.noneTrials < 1) throw new UsageError('--trials and --none-trials must be >= 1');
  const { specs: base } = await planRun({
    backends: req.backends,
    backendModule: null,
    models: [req.model],
    fixtures: req.fixtures,
    iterations: Math.max(...req.iterationCounts),
    warmup: 0,
    durationMs: req.durationMs,
    gc: req.gc,
    jobs: req.jobs,
    cellTimeoutS: 900,
    settle: false,
    out: req.out,
  });
  const specs: CellSpec[] = [];
  for (const b of base) {
    const n = b.fixture === 'none' ? req.noneTrials : req.trials;
    for (const iterations of req.iterationCounts) {
      for (let t = 0; t < n; t++) {
        specs.push({ ...b, id: `${b.id}-n${iterations}-t${t}`, iterations, warmup: calibrationWarmup(iterations) });
      }
    }
  }
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    schema: RUN_SCHEMA,
    id: `calibration-${now.replace(/[:.]/g, '-')}`,
    createdAt: now,
    updatedAt: now,
    leakbenchVersion: leakbenchVersion(),
    environment: collectEnvironment(),
    options: {
      backends: req.backends,
      models: [req.model],
      fixtures: req.fixtures,
      iterations: Math.max(...req.iterationCounts),
      warmup: calibrationWarmup(Math.max(...req.iterationCounts)),
      durationMs: base[0]!.durationMs,
      logIntervalMs: base[0]!.logIntervalMs,
      gc: req.gc,
      jobs: req.jobs,
      cellTimeoutS: 900,
      settle: false,
      host: hostSettings(req.host ?? 'stable'),
    },
    cells: specs.map((spec) => ({ spec, status: 'pending', exitCode: null, signal: null, samples: 0, startedAt: null, endedAt: null, error: null, build: null })),
  };
  writeManifest(req.out, manifest);
  await executeRun(req.out, manifest, opts);

  return summarise(req.out, manifest, req);
}

/** Re-analyses every stored trial with the current verdict code and rebuilds calibration.json (no re-run). */
export function recalibrate(dir: string): CalibrationResult {
  reanalyseRun(dir);
  const manifest = readManifest(dir);
  const specs = manifest.cells.map((c) => c.spec);
  const counts = [...new Set(specs.map((s) => s.iterations))].sort((a, b) => a - b);
  const trialsOf = (none: boolean) => Math.max(0, ...specs.filter((s) => (s.fixture === 'none') === none).map((s) => Number(/-t(\d+)$/.exec(s.id)?.[1] ?? 0) + 1));
  return summarise(dir, manifest, {
    backends: manifest.options.backends,
    model: manifest.options.models[0]!,
    fixtures: manifest.options.fixtures,
    iterationCounts: counts,
    trials: trialsOf(false),
    noneTrials: trialsOf(true),
    gc: manifest.options.gc,
    jobs: manifest.options.jobs,
    out: dir,
  });
}

/** Trials and summaries from a calibration directory whose cells have run and have verdicts. */
function summarise(dir: string, manifest: RunManifest, req: CalibrateRequest): CalibrationResult {
  const now = manifest.createdAt;
  const trials: CalibrationTrial[] = manifest.cells.map((c) => {
    const v = readVerdict(dir, c.spec.id);
    const expected = expectedWhere(c.spec.fixture);
    const layer = expected === 'js-heap' ? 'heapUsedBytes' : 'allocatorBytes';
    return {
      backend: c.spec.backend,
      fixture: c.spec.fixture,
      iterations: c.spec.iterations,
      trial: Number(/-t(\d+)$/.exec(c.spec.id)![1]),
      decision: v?.decision ?? 'inconclusive',
      where: v?.where ?? null,
      bytesPerIteration: v?.bytesPerIteration ?? null,
      ciLow: v?.ciLow ?? null,
      ciHigh: v?.ciHigh ?? null,
      expectedLayerSlope: v?.layers.find((l) => l.layer === layer)?.slope ?? null,
    };
  });

  // True growth per leaked block, measured in a process started like the cells (host flags and environment).
  const trueGrowthBy = new Map<string, Record<string, number | null>>();
  for (const backend of req.backends.map((id) => ({ id }))) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...manifest.options.host.nodeFlags, fileURLToPath(new URL('./growth-probe.js', import.meta.url)), backend.id, req.model, ...req.fixtures], {
      env: { ...process.env, ...manifest.options.host.env },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`growth probe for ${backend.id} failed: ${r.stderr}`);
    trueGrowthBy.set(backend.id, JSON.parse(r.stdout) as Record<string, number | null>);
  }
  const summaries: CalibrationSummary[] = [];
  for (const backend of req.backends.map((id) => ({ id }))) {
    for (const fixture of req.fixtures) {
      const expected = expectedWhere(fixture);
      const mine = trials.filter((t) => t.backend === backend.id && t.fixture === fixture);
      const correct = (t: CalibrationTrial) => (expected === 'none' ? t.decision === 'no-leak' : t.decision === 'leak' && t.where === expected);
      const byIterations = req.iterationCounts.map((iterations) => {
        const at = mine.filter((t) => t.iterations === iterations);
        return { iterations, trials: at.length, correct: at.filter(correct).length, leak: at.filter((t) => t.decision === 'leak').length };
      });
      let iterationsToDetect: number | null = null;
      for (let k = byIterations.length - 1; k >= 0 && byIterations[k]!.correct === byIterations[k]!.trials; k--) iterationsToDetect = byIterations[k]!.iterations;
      const largest = mine.filter((t) => t.iterations === Math.max(...req.iterationCounts));
      const estimates = largest.map((t) => t.expectedLayerSlope).filter((x): x is number => x !== null);
      const estimated = estimates.length ? median(estimates) : null;
      const trueGrowth = trueGrowthBy.get(backend.id)?.[fixture] ?? null;
      summaries.push({
        backend: backend.id,
        fixture,
        expectedWhere: expected,
        requestedBytes: fixtureMallocBytes(parseFixture(fixture)),
        trueBytesPerIteration: trueGrowth,
        byIterations,
        iterationsToDetect: expected === 'none' ? null : iterationsToDetect,
        falsePositiveRate: expected === 'none' ? mine.filter((t) => t.decision === 'leak').length / Math.max(1, mine.length) : null,
        estimatedBytesPerIteration: estimated,
        relativeError: estimated !== null && trueGrowth ? (estimated - trueGrowth) / trueGrowth : null,
      });
    }
  }
  const result: CalibrationResult = {
    schema: CALIBRATION_SCHEMA,
    createdAt: now,
    environment: manifest.environment,
    options: { backends: req.backends, fixtures: req.fixtures, iterationCounts: req.iterationCounts, trials: req.trials, noneTrials: req.noneTrials, model: req.model, gc: req.gc },
    summaries,
    trials,
  };
  writeJsonAtomic(runPaths(dir).calibration, result);
  return result;
}
