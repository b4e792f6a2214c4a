// Planning a run: validating everything (options, fixtures, backends, models, the output directory) before any
// cell starts, and writing the initial manifest.
import { accessSync, constants as fsConstants, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkFixture, findModel, parseFixtureList, RUN_SCHEMA, UsageError, writeManifest } from '@leakbench/core';
import type { Backend, CellHost, CellRecord, CellSpec, GcPolicy, ProbeSpec, RunManifest, SequentialSpec } from '@leakbench/core';
import { loadNativeProbe, unmatchedPatterns } from '@leakbench/native-probe';
import { FIRST_LOOK, sequentialBounds } from '@leakbench/analysis';
import { collectEnvironment, leakbenchVersion } from './environment.js';
import { hostSettings, type HostProfile, type Numerics } from './host.js';
import type { BackendLoader } from './worker.js';

export interface RunRequest {
  backends: string[];
  /** A user module implementing Backend; its cells use the module's id as backend name. */
  backendModule: string | null;
  /** `--option name=value` for the backend module (checked against the options it declares). */
  backendOptions?: Record<string, string>;
  /** Workloads to run; null: every one each backend declares (a user's module with one needs no --models). */
  models: string[] | null;
  /** Fixture ids as given (`all` = the default five); parsed here, once, into each cell's spec. */
  fixtures: string[];
  iterations: number;
  warmup: number;
  /** Simulated ms per iteration; default: each model's own default. */
  durationMs?: number;
  logIntervalMs?: number;
  gc: GcPolicy;
  jobs: number;
  cellTimeoutS: number;
  settle: boolean;
  host?: HostProfile;
  /** Whether native cells compute with WASM's numerics (default portable; see host.ts). */
  numerics?: Numerics;
  /** Run only shard `index` of `count` (1-based): the cells at positions index, index+count, … of the matrix. */
  shard?: { index: number; count: number } | null;
  /** Worker recycling: a fresh process every this many iterations (null: one per cell; see cell.ts CellPart). */
  recycle?: number | null;
  /**
   * `run --until-decided`: each cell stops at the first look that decides it (analysis sequential.ts); `iterations`
   * is then the most a cell runs (its --max-iterations). `minIterations` null: the default horizon.
   */
  sequential?: { minIterations: number | null } | null;
  /**
   * `--native-module`: fnmatch patterns of the shared objects whose C heap the harness's malloc interposer counts
   * in every cell (null: '*.node' for a user's backend module, none for the built-ins, which count their own).
   */
  nativeModules?: string[] | null;
  /** `--runtime chromium`: the backend module in a page of headless Chromium (default: in Node). */
  runtime?: CellHost;
  out: string;
}

export const RUN_DEFAULTS = {
  backends: ['native', 'wasm'],
  models: ['lr1991'],
  iterations: 500,
  warmup: 20,
  gc: 'before-sample' as GcPolicy,
  jobs: 2,
  cellTimeoutS: 900,
  settle: true,
  host: 'stable' as HostProfile,
  numerics: 'portable' as Numerics,
};

export const cellId = (backend: string, model: string, fixture: string) =>
  `${backend}-${model}-${fixture}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');

export function checkOutDir(out: string): void {
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`--out ${out} is not empty; give a new or empty directory (or --resume ${out})`);
  try {
    mkdirSync(out, { recursive: true });
    accessSync(out, fsConstants.W_OK);
    const probe = resolve(out, '.write-test');
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (e) {
    throw new UsageError(`--out ${out} is not writable (${(e as Error).message})`);
  }
}

/**
 * The bounds of a sequential run, checked: the minimum and the maximum must reach the first look (the fewest
 * iterations a verdict can decide in), the minimum must not exceed the maximum.
 */
export function checkSequential(warmup: number, max: number, min: number | null): SequentialSpec {
  const least = warmup + FIRST_LOOK;
  if (max < least) {
    throw new UsageError(`--max-iterations must be at least ${least}: the warm-up (${warmup}) plus the ${FIRST_LOOK} iterations the first look of a sequential verdict needs (got ${max})`);
  }
  if (min !== null && !(Number.isInteger(min) && min >= least)) {
    throw new UsageError(`--min-iterations must be at least ${least}: the warm-up (${warmup}) plus the ${FIRST_LOOK} iterations the first look of a sequential verdict needs (got ${min})`);
  }
  if (min !== null && min > max) throw new UsageError(`--max-iterations (${max}) must not be below --min-iterations (${min}); the minimum is ${min}`);
  return sequentialBounds(warmup, { minIterations: min, maxIterations: max });
}

/** Validates a request against the real backends and returns the cells to run. Throws UsageError. */
export async function planRun(
  req: RunRequest,
  load: BackendLoader,
): Promise<{ specs: CellSpec[]; matrix: CellSpec[]; backends: Backend[]; fixtures: string[]; skipped: string[]; shard: RunManifest['options']['shard'] }> {
  if (!(req.iterations > 0) || !Number.isInteger(req.iterations)) throw new UsageError(`--iterations must be a whole number > 0 (got ${req.iterations})`);
  if (!(req.warmup >= 0) || !Number.isInteger(req.warmup)) throw new UsageError(`--warmup must be a whole number >= 0 (got ${req.warmup})`);
  if (req.warmup >= req.iterations) throw new UsageError(`--warmup (${req.warmup}) must be smaller than --iterations (${req.iterations})`);
  const recycle = req.recycle ?? null;
  if (recycle !== null && !(Number.isInteger(recycle) && recycle > req.warmup)) {
    throw new UsageError(`--recycle must be a whole number of iterations larger than --warmup (${req.warmup}), since every fresh process runs the warm-up again first (got ${recycle})`);
  }
  const sequential = req.sequential ? checkSequential(req.warmup, req.iterations, req.sequential.minIterations) : null;
  const fixtures = parseFixtureList(req.fixtures);
  if (req.models?.length === 0) throw new UsageError('no models given');
  if (req.backendOptions && Object.keys(req.backendOptions).length && !req.backendModule) throw new UsageError('--option sets options of a --backend-module; the built-in backends take none');

  checkRuntime(req);
  const backends: Backend[] = [];
  for (const id of req.backendModule ? [null] : req.backends) {
    try {
      backends.push(await load(id ?? '', req.backendModule, req.backendOptions ?? {}, req.runtime));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`backend '${id}' cannot be loaded: ${(e as Error).message}`);
    }
  }
  const probes = probeSpec(req);
  if (req.nativeModules?.length) checkNativeModules(req.nativeModules);
  const specs: CellSpec[] = [];
  const skipped: string[] = [];
  for (const backend of backends) {
    if (backend.host === 'chromium' && req.gc !== 'before-sample') throw new UsageError(`backend '${backend.id}' runs in a page, whose JS heap is read after forced GCs only: --gc ${req.gc} is not measurable there (accepted: before-sample)`);
    // A fixture asked for by name that a backend cannot carry is bad input; one that came with `zoo` is skipped.
    const carried = fixtures.filter((f) => {
      const problem = f.fromZoo ? (backend.fixtureProblem?.(f.fixture) ?? null) : null;
      if (problem) skipped.push(`${backend.id} × ${f.id}: ${problem}`);
      else checkFixture(backend, f.id, f.fixture);
      return !problem;
    });
    for (const modelId of req.models ?? backend.models().map((m) => m.id)) {
      const model = findModel(backend.models(), modelId);
      // An ODE model's protocol (the model's defaults unless given); a workload without one has none.
      const durationMs = req.durationMs ?? model.defaultDurationMs ?? null;
      const logIntervalMs = req.logIntervalMs ?? model.defaultLogIntervalMs ?? durationMs;
      if (logIntervalMs !== null && durationMs !== null && logIntervalMs > durationMs) throw new UsageError(`--log-interval (${logIntervalMs}) must not exceed --duration (${durationMs})`);
      for (const f of carried) {
        specs.push({
          id: cellId(backend.id, model.id, f.id),
          backend: backend.id,
          backendModule: req.backendModule ? resolve(req.backendModule) : null,
          model: model.id,
          fixture: f.id,
          fixtureDef: f.fixture,
          iterations: req.iterations,
          warmup: req.warmup,
          durationMs,
          logIntervalMs,
          gc: req.gc,
          settle: req.settle,
          ...(recycle !== null ? { recycle } : {}),
          ...(sequential ? { sequential } : {}),
          ...(probes ? { probes } : {}),
          ...(backend.host === 'chromium' ? { host: 'chromium' as const } : {}),
          ...(req.backendOptions && Object.keys(req.backendOptions).length ? { backendOptions: req.backendOptions } : {}),
        });
      }
    }
  }
  const shard = req.shard ? shardOf(specs, req.shard) : null;
  checkOutDir(req.out);
  return { specs: shard ? shard.specs : specs, matrix: specs, backends, fixtures: fixtures.map((f) => f.id), skipped, shard: shard?.shard ?? null };
}

/**
 * The harness's own probes for the cells of `req`: a user's backend module gets them all (the interposer on every
 * Node-API addon unless --native-module names others, and the WebAssembly probe); a built-in backend counts its own
 * module and gets the interposer only when --native-module asks for it.
 */
export function probeSpec(req: Pick<RunRequest, 'backendModule' | 'nativeModules' | 'runtime'>): ProbeSpec | null {
  const named = req.nativeModules?.length ? req.nativeModules : null;
  // In a page only the WebAssembly probe can run (it is carried into the page; no interposer reaches a renderer).
  if (req.backendModule && req.runtime === 'chromium') return { nativeModules: null, wasm: true };
  if (req.backendModule) return { nativeModules: named ?? ['*.node'], wasm: true };
  return named ? { nativeModules: named, wasm: false } : null;
}

/** `--runtime chromium` runs a user's module in a page: not a built-in (wasm-chromium is that), no interposer. */
export function checkRuntime(req: Pick<RunRequest, 'backendModule' | 'nativeModules' | 'runtime'>): void {
  if (req.runtime === undefined || req.runtime === 'node') return;
  if (!req.backendModule) throw new UsageError(`--runtime ${req.runtime} runs a --backend-module in a page; the built-in WASM module in a page is --backends wasm-chromium`);
  if (req.nativeModules?.length) throw new UsageError(`--native-module counts a native module's C heap in a Node process; a page (--runtime ${req.runtime}) runs WebAssembly only`);
}

/** Each --native-module pattern must match a shared object the backends loaded (here, in the planning process). */
function checkNativeModules(patterns: string[]): void {
  const { unmatched, candidates } = unmatchedPatterns(loadNativeProbe(), patterns);
  if (!unmatched.length) return;
  const list = candidates.length ? candidates.join(', ') : 'none outside the system libraries';
  throw new UsageError(`--native-module ${unmatched.join(', ')} matches no shared object the backend loaded; patterns are fnmatch globs over full paths (e.g. '*/mylib.node'); loaded: ${list}`);
}

/**
 * Shard `index` of `count`: every count-th cell of the matrix in plan order, from position `index` on. Disjoint
 * shards whose union is the matrix, as even as can be, and stable when cells are added at the end of the matrix (a
 * cell keeps its shard). A shard without cells is bad input.
 */
export function shardOf(specs: CellSpec[], { index, count }: { index: number; count: number }): { specs: CellSpec[]; shard: NonNullable<RunManifest['options']['shard']> } {
  if (!(Number.isInteger(index) && Number.isInteger(count) && index >= 1 && index <= count)) {
    throw new UsageError(`--shard must be k/n with whole numbers 1 <= k <= n (got ${index}/${count})`);
  }
  if (count > specs.length) throw new UsageError(`--shard ${index}/${count}: the matrix has ${specs.length} cell(s), so at most ${specs.length} shards (every shard must hold a cell)`);
  return { specs: specs.filter((_, i) => i % count === index - 1), shard: { index, count, matrix: specs.map((s) => s.id) } };
}

export const pendingRecord = (spec: CellSpec): CellRecord => ({
  spec,
  status: 'pending',
  exitCode: null,
  signal: null,
  samples: 0,
  startedAt: null,
  endedAt: null,
  error: null,
  build: null,
});

/** A new manifest for `specs`, written to `out`. */
export function writeNewManifest(out: string, specs: CellSpec[], options: RunManifest['options'], idPrefix = ''): RunManifest {
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    schema: RUN_SCHEMA,
    id: `${idPrefix}${now.replace(/[:.]/g, '-')}`,
    createdAt: now,
    updatedAt: now,
    leakbenchVersion: leakbenchVersion(),
    environment: collectEnvironment(),
    options,
    cells: specs.map(pendingRecord),
    merged: [],
  };
  writeManifest(out, manifest);
  return manifest;
}

/** Plans and writes the manifest; `skipped` lists zoo shapes a backend cannot carry (not run, not an error). */
export async function createRun(req: RunRequest, load: BackendLoader): Promise<{ manifest: RunManifest; skipped: string[] }> {
  const { specs, matrix, fixtures, skipped, shard } = await planRun(req, load);
  const manifest = writeNewManifest(req.out, specs, {
    backends: [...new Set(matrix.map((s) => s.backend))],
    models: [...new Set(matrix.map((s) => s.model))],
    fixtures,
    iterations: req.iterations,
    warmup: req.warmup,
    durationMs: specs[0]!.durationMs,
    logIntervalMs: specs[0]!.logIntervalMs,
    gc: req.gc,
    jobs: req.jobs,
    cellTimeoutS: req.cellTimeoutS,
    settle: req.settle,
    host: hostSettings(req.host ?? RUN_DEFAULTS.host, req.numerics ?? RUN_DEFAULTS.numerics),
    shard,
    recycle: req.recycle ?? null,
    sequential: specs[0]?.sequential ?? null,
  });
  return { manifest, skipped };
}
