// `leakbench calibrate`: runs independent trials (fresh processes) of every fixture at several iteration counts
// as cells of a calibration run directory — the evidence is kept and the report can plot it — measures the true
// allocator growth per leaked block in a process started like the cells, and stores the summaries (computed by
// @leakbench/analysis) in <dir>/calibration.json.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CALIBRATION_SCHEMA, CalibrationResult, readJsonFile, readManifest, readVerdict, runPaths, UsageError, writeJsonAtomic } from '@leakbench/core';
import type { CellHost, CellSpec, GcPolicy, RunManifest } from '@leakbench/core';
import { pageJsFlagsEnv } from '@leakbench/browser-host';
import { calibrationTrial, median, reanalyseRun, summariseCalibration, trialNumber, type AttributeWhen } from '@leakbench/analysis';
import { hostSettings, type HostProfile } from './host.js';
import { gitCommit } from './environment.js';
import { checkSequential, planRun, RUN_DEFAULTS, writeNewManifest } from './plan.js';
import { executeRun, type ExecuteOptions } from './run.js';
import type { BackendLoader, GrowthProbeJob } from './worker.js';

export interface CalibrateRequest {
  /** Built-in backends by id (ignored with backendModule: the module's own id is the one backend). */
  backends: string[];
  /** A user's backend module (path), calibrated through the harness's own probes as `run --backend-module` is. */
  backendModule?: string | null;
  /** Options of the backend module (`--option name=value`, each one it declares). */
  backendOptions?: Record<string, string>;
  /** The shared objects whose C heap the malloc interposer counts (`--native-module`; default as run's). */
  nativeModules?: string[] | null;
  /** `--runtime chromium`: the backend module's trials in pages of headless Chromium, its truth measured in a page. */
  runtime?: CellHost;
  /** One workload; null: the backend module's only one (an error when it declares several). */
  model: string | null;
  fixtures: string[];
  iterationCounts: number[];
  trials: number;
  noneTrials: number;
  gc: GcPolicy;
  jobs: number;
  durationMs?: number;
  host?: HostProfile;
  /** Which trials also get an attribution pass that their verdict reads (as run's: 'auto' by default). */
  attribute?: AttributeWhen;
  /**
   * Sequential trials (calibrate --until-decided): each stops at the look that decides it, at most at the one
   * iteration count given; with this warm-up (a run's default when absent) and no-leak horizon (default: run's).
   */
  sequential?: { minIterations: number | null; warmup?: number } | null;
  out: string;
}

export const CALIBRATE_DEFAULTS = {
  fixtures: ['none', 'object', 'list', 'double', 'double100', 'malloc:16', 'malloc:64', 'malloc:256', 'malloc:1024', 'malloc:4096'],
  iterationCounts: [10, 20, 30, 50, 100],
  trials: 5,
  noneTrials: 20,
};

/** Warm-up used by calibration trials: short, since detection speed is what is measured. */
export const calibrationWarmup = (iterations: number) => Math.max(2, Math.floor(iterations * 0.1));

export async function calibrate(req: CalibrateRequest, load: BackendLoader, opts: ExecuteOptions): Promise<CalibrationResult> {
  if (req.iterationCounts.length === 0) throw new UsageError('--iterations needs at least one count');
  if (req.trials < 1 || req.noneTrials < 1) throw new UsageError('--trials and --none-trials must be >= 1');
  const largest = Math.max(...req.iterationCounts);
  if (req.sequential && req.iterationCounts.length !== 1) {
    throw new UsageError(`sequential trials run until decided, at most --max-iterations: give one maximum, not counts (got ${req.iterationCounts.join(',')})`);
  }
  const seqWarmup = req.sequential?.warmup ?? RUN_DEFAULTS.warmup;
  const sequential = req.sequential ? checkSequential(seqWarmup, largest, req.sequential.minIterations) : null;
  const warmupOf = (iterations: number) => (sequential ? seqWarmup : calibrationWarmup(iterations));
  const { specs: base, fixtures, backends: loaded } = await planRun(
    {
      backends: req.backends,
      backendModule: req.backendModule ?? null,
      ...(req.backendOptions ? { backendOptions: req.backendOptions } : {}),
      nativeModules: req.nativeModules ?? null,
      ...(req.runtime ? { runtime: req.runtime } : {}),
      models: req.model === null ? null : [req.model],
      fixtures: req.fixtures,
      iterations: largest,
      warmup: 0,
      durationMs: req.durationMs,
      gc: req.gc,
      jobs: req.jobs,
      cellTimeoutS: 900,
      settle: false,
      out: req.out,
    },
    load,
  );
  const models = [...new Set(base.map((s) => s.model))];
  if (models.length !== 1) throw new UsageError(`a calibration measures one workload; the backend module declares ${models.join(', ')}: give --model`);
  const model = models[0]!;
  const backends = loaded.map((b) => b.id);
  const specs: CellSpec[] = [];
  for (const b of base) {
    const n = b.fixture === 'none' ? req.noneTrials : req.trials;
    for (const iterations of req.iterationCounts) {
      for (let t = 0; t < n; t++) specs.push({ ...b, id: `${b.id}-n${iterations}-t${t}`, iterations, warmup: warmupOf(iterations), ...(sequential ? { sequential } : {}) });
    }
  }
  const manifest = writeNewManifest(
    req.out,
    specs,
    {
      backends,
      models: [model],
      fixtures,
      iterations: largest,
      warmup: warmupOf(largest),
      durationMs: base[0]!.durationMs,
      logIntervalMs: base[0]!.logIntervalMs,
      gc: req.gc,
      jobs: req.jobs,
      cellTimeoutS: 900,
      settle: false,
      host: hostSettings(req.host ?? 'stable'),
      shard: null,
      recycle: null,
      sequential,
    },
    'calibration-',
  );
  await executeRun(req.out, manifest, { ...opts, attribute: req.attribute ?? 'auto' });
  return summarise(req.out, manifest, { ...req, backends, model, fixtures }, opts.worker);
}

/**
 * Re-analyses every stored trial with the current verdict code and rebuilds calibration.json (no re-run). The true
 * growth is the one measured when the trials were recorded (kept in calibration.json): it belongs to the build that
 * ran them, and a backend module need not be where it was then. Probed again when none was recorded, or when asked
 * (`remeasureTruth`: the probe itself changed), with the build and module as they are now.
 */
export function recalibrate(dir: string, worker: string, opts: { remeasureTruth?: boolean } = {}): CalibrationResult {
  const manifest = readManifest(dir);
  const recorded = !opts.remeasureTruth && existsSync(runPaths(dir).calibration) ? readJsonFile(runPaths(dir).calibration, CalibrationResult, 'calibration') : null;
  if (!recorded) {
    const gone = manifest.cells.map((c) => c.spec.backendModule).find((m) => m && !existsSync(m));
    if (gone) throw new UsageError(`measuring the true growth loads the backend module the trials ran, and ${gone} is not there; without --remeasure-truth the truth recorded with the trials is kept`);
  }
  reanalyseRun(dir);
  const analysed = { commit: gitCommit(), at: new Date().toISOString() };
  const specs = manifest.cells.map((c) => c.spec);
  const counts = [...new Set(specs.map((s) => s.iterations))].sort((a, b) => a - b);
  const trialsOf = (none: boolean) => Math.max(0, ...specs.filter((s) => (s.fixture === 'none') === none).map((s) => trialNumber(s.id) + 1));
  return summarise(
    dir,
    manifest,
    {
      backends: manifest.options.backends,
      model: manifest.options.models[0]!,
      fixtures: manifest.options.fixtures,
      iterationCounts: counts,
      trials: trialsOf(false),
      noneTrials: trialsOf(true),
      gc: manifest.options.gc,
      jobs: manifest.options.jobs,
      out: dir,
    },
    worker,
    analysed,
    recorded ? (b, f) => recorded.summaries.find((x) => x.backend === b && x.fixture === f)?.trueBytesPerIteration ?? null : null,
  );
}

/**
 * The true growth per leaked block of each fixture, measured in processes started like the cells: for each fixture,
 * the median over PROBE_PROCESSES fresh ones, as each cell has its own. One process's free chunks can be what every
 * block it measures lands in: a foreign-native calibration's single probe process read glibc's 288 B chunk for
 * malloc(256) at each of its 21 measurements, where the trials' blocks were 272 B (not seen again in 3 reruns).
 * glibc's per-thread cache is always off: with it on, the probe's freed block goes to the cache and its size is not
 * seen (it read 0 B in the stock profile); what a block costs does not depend on the cache.
 */
function probeTrueGrowth(manifest: RunManifest, backend: string, model: string, fixtures: string[], worker: string): Record<string, number | null> {
  // A backend module is loaded as its trials loaded it: the path and options their specs recorded.
  const spec = manifest.cells.find((c) => c.spec.backend === backend)?.spec;
  const once = (fixture: string): number | null => {
    const job: GrowthProbeJob = { backend, backendModule: spec?.backendModule ?? null, ...(spec?.backendOptions ? { backendOptions: spec.backendOptions } : {}), ...(spec?.host ? { host: spec.host } : {}), model, fixtures: [fixture] };
    const r = spawnSync(process.execPath, ['--expose-gc', ...manifest.options.host.nodeFlags, worker, 'growth-probe', JSON.stringify(job)], {
      env: { ...process.env, ...hostSettings('stable', manifest.options.host.numerics).env, ...(spec?.host === 'chromium' ? pageJsFlagsEnv(manifest.options.host.nodeFlags) : {}) },
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`growth probe for ${backend} × ${fixture} failed: ${r.stderr}`);
    return (JSON.parse(r.stdout) as Record<string, number | null>)[fixture] ?? null;
  };
  const out: Record<string, number | null> = {};
  for (const fixture of fixtures) {
    const measured = Array.from({ length: PROBE_PROCESSES }, () => once(fixture)).filter((x): x is number => x !== null);
    out[fixture] = measured.length ? median(measured) : null;
  }
  return out;
}

/** Fresh processes per fixture whose median is its true growth. */
const PROBE_PROCESSES = 3;

type TrueGrowth = (backend: string, fixture: string) => number | null;

function summarise(dir: string, manifest: RunManifest, req: CalibrateRequest & { model: string }, worker: string, analysed: CalibrationResult['analysed'] = null, recorded: TrueGrowth | null = null): CalibrationResult {
  const trials = manifest.cells.map((c) => calibrationTrial(c.spec, readVerdict(dir, c.spec.id)));
  const probed = recorded ? null : new Map(req.backends.map((b) => [b, probeTrueGrowth(manifest, b, req.model, req.fixtures, worker)]));
  const trueGrowth: TrueGrowth = recorded ?? ((b, f) => probed!.get(b)?.[f] ?? null);
  const module = manifest.cells[0]?.spec.backendModule ?? null;
  const result: CalibrationResult = {
    schema: CALIBRATION_SCHEMA,
    createdAt: manifest.createdAt,
    environment: manifest.environment,
    analysed,
    options: {
      backends: req.backends,
      fixtures: req.fixtures,
      iterationCounts: req.iterationCounts,
      trials: req.trials,
      noneTrials: req.noneTrials,
      model: req.model,
      backendModule: module,
      gc: req.gc,
      host: manifest.options.host.profile,
      attribute: manifest.cells.some((c) => existsSync(runPaths(dir).attribution(c.spec.id))),
      sequential: manifest.options.sequential ? { ...manifest.options.sequential, warmup: manifest.options.warmup } : null,
    },
    summaries: summariseCalibration({ ...req, trials, trueGrowth }),
    trials,
  };
  writeJsonAtomic(runPaths(dir).calibration, result);
  return result;
}
