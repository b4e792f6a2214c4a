// The orchestrator: plans a run (validating everything before any cell starts), runs each cell in a fresh
// `node --expose-gc` process with at most `jobs` at once, keeps the manifest current on disk, isolates faults,
// and resumes unfinished runs.
import { fork, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import type { Backend } from '../backend.js';
import { checkBackendId, loadAnyBackend } from '../backends.js';
import { UsageError } from '../errors.js';
import { parseFixture } from '../fixtures.js';
import { RUN_SCHEMA } from '../schema.js';
import type { CellRecord, CellSpec, GcPolicy, RunManifest } from '../schema.js';
import { readManifest, readSamples, runPaths, writeManifest, writeVerdict } from '../storage.js';
import { findModel } from '../workload.js';
import { analyseCell } from '../verdict.js';
import { collectEnvironment, leakbenchVersion } from './environment.js';
import type { CellMessage } from './protocol.js';
import { hostSettings, type HostProfile } from './host.js';

export interface RunRequest {
  backends: string[];
  /** A user module implementing Backend; its cells use the module's id as backend name. */
  backendModule: string | null;
  models: string[];
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
};

export type RunEvent =
  | { type: 'cell-start'; cell: CellRecord }
  | { type: 'cell-progress'; cell: CellRecord; done: number }
  | { type: 'cell-end'; cell: CellRecord };

export const cellId = (backend: string, model: string, fixture: string) =>
  `${backend}-${model}-${fixture}`.toLowerCase().replace(/[^a-z0-9._-]+/g, '-');

function checkOutDir(out: string): void {
  if (existsSync(out)) {
    if (readdirSync(out).length > 0) throw new UsageError(`--out ${out} is not empty; give a new or empty directory (or --resume ${out})`);
  }
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

/** Validates a request against the real backends and returns the cells to run. Throws UsageError. */
export async function planRun(req: RunRequest): Promise<{ specs: CellSpec[]; backends: Backend[] }> {
  if (!(req.iterations > 0) || !Number.isInteger(req.iterations)) throw new UsageError(`--iterations must be a whole number > 0 (got ${req.iterations})`);
  if (!(req.warmup >= 0) || !Number.isInteger(req.warmup)) throw new UsageError(`--warmup must be a whole number >= 0 (got ${req.warmup})`);
  if (req.warmup >= req.iterations) throw new UsageError(`--warmup (${req.warmup}) must be smaller than --iterations (${req.iterations})`);
  if (req.fixtures.length === 0) throw new UsageError('no fixtures given');
  for (const f of req.fixtures) parseFixture(f);
  if (!req.backendModule) for (const b of req.backends) checkBackendId(b);
  if (req.models.length === 0) throw new UsageError('no models given');

  const backends: Backend[] = [];
  for (const id of req.backendModule ? [null] : req.backends) {
    try {
      backends.push(await loadAnyBackend(id ?? '', req.backendModule));
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`backend '${id}' cannot be loaded: ${(e as Error).message}`);
    }
  }
  const specs: CellSpec[] = [];
  for (const backend of backends) {
    for (const modelId of req.models) {
      const model = findModel(backend.models(), modelId);
      const durationMs = req.durationMs ?? model.defaultDurationMs;
      const logIntervalMs = req.logIntervalMs ?? model.defaultLogIntervalMs;
      if (logIntervalMs > durationMs) throw new UsageError(`--log-interval (${logIntervalMs}) must not exceed --duration (${durationMs})`);
      for (const fixture of req.fixtures) {
        specs.push({
          id: cellId(backend.id, model.id, fixture),
          backend: backend.id,
          backendModule: req.backendModule ? resolve(req.backendModule) : null,
          model: model.id,
          fixture,
          iterations: req.iterations,
          warmup: req.warmup,
          durationMs,
          logIntervalMs,
          gc: req.gc,
          settle: req.settle,
        });
      }
    }
  }
  checkOutDir(req.out);
  return { specs, backends };
}

const pendingRecord = (spec: CellSpec): CellRecord => ({
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

export async function createRun(req: RunRequest): Promise<RunManifest> {
  const { specs } = await planRun(req);
  const now = new Date().toISOString();
  const manifest: RunManifest = {
    schema: RUN_SCHEMA,
    id: now.replace(/[:.]/g, '-'),
    createdAt: now,
    updatedAt: now,
    leakbenchVersion: leakbenchVersion(),
    environment: collectEnvironment(),
    options: {
      backends: [...new Set(specs.map((s) => s.backend))],
      models: req.models,
      fixtures: req.fixtures,
      iterations: req.iterations,
      warmup: req.warmup,
      durationMs: specs[0]!.durationMs,
      logIntervalMs: specs[0]!.logIntervalMs,
      gc: req.gc,
      jobs: req.jobs,
      cellTimeoutS: req.cellTimeoutS,
      settle: req.settle,
      host: hostSettings(req.host ?? RUN_DEFAULTS.host),
    },
    cells: specs.map(pendingRecord),
  };
  writeManifest(req.out, manifest);
  return manifest;
}

/** Lines in a file (samples written so far), counted without holding the whole file as a string. */
function countLines(path: string): number {
  const buf = readFileSync(path);
  let n = 0;
  for (let k = buf.indexOf(10); k !== -1; k = buf.indexOf(10, k + 1)) n++;
  return n;
}

const CELL_ENTRY = fileURLToPath(new URL('./cell-runner.js', import.meta.url));

export interface ExecuteOptions {
  onEvent?: (e: RunEvent) => void;
  /** Environment for cell processes (defaults to this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface RunOutcome {
  manifest: RunManifest;
  failed: CellRecord[];
  interrupted: boolean;
}

/** Runs every cell of the manifest that is not `ok`, `jobs` at a time. Updates run.json after every change. */
export async function executeRun(dir: string, manifest: RunManifest, opts: ExecuteOptions = {}): Promise<RunOutcome> {
  const paths = runPaths(dir);
  const todo = manifest.cells.filter((c) => c.status !== 'ok');
  const running = new Set<ChildProcess>();
  let interrupted = false;
  const save = () => writeManifest(dir, manifest);

  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = true;
    for (const child of running) child.kill(sig === 'SIGINT' ? 'SIGTERM' : sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const runOne = (cell: CellRecord) =>
    new Promise<void>((done) => {
      const id = cell.spec.id;
      mkdirSync(paths.cellDir(id), { recursive: true });
      const log = openSync(paths.stderr(id), 'a');
      Object.assign(cell, { status: 'running', startedAt: new Date().toISOString(), endedAt: null, error: null, exitCode: null, signal: null });
      save();
      opts.onEvent?.({ type: 'cell-start', cell });
      // V8's --trace-gc lines go to the cell's gc.log on stdout; the cell counts GCs by kind from it.
      const gcLog = openSync(paths.gcLog(id), 'w');
      const child = fork(CELL_ENTRY, [JSON.stringify(cell.spec), paths.samples(id)], {
        execArgv: ['--expose-gc', '--trace-gc', ...manifest.options.host.nodeFlags],
        stdio: ['ignore', gcLog, log, 'ipc'],
        env: { ...(opts.env ?? process.env), ...manifest.options.host.env, LEAKBENCH_GC_LOG: paths.gcLog(id) },
      });
      running.add(child);
      let finished = false;
      let errorMessage: string | null = null;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, manifest.options.cellTimeoutS * 1000);
      // Progress comes from the samples file's length (the cell sends nothing while it measures).
      let seen = 0;
      const poll = setInterval(() => {
        try {
          const lines = countLines(paths.samples(id));
          if (lines > seen) {
            seen = lines;
            opts.onEvent?.({ type: 'cell-progress', cell, done: Math.max(0, lines - 1) });
          }
        } catch {
          /* not created yet */
        }
      }, 250);
      child.on('message', (m: CellMessage) => {
        if (m.type === 'start') {
          cell.build = m.build;
          save();
        } else if (m.type === 'done') finished = true;
        else if (m.type === 'error') errorMessage = m.message;
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        clearInterval(poll);
        running.delete(child);
        cell.exitCode = code;
        cell.signal = signal;
        cell.endedAt = new Date().toISOString();
        let samples: ReturnType<typeof readSamples>['samples'] = [];
        try {
          samples = readSamples(paths.samples(id)).samples;
        } catch (e) {
          errorMessage ??= (e as Error).message;
        }
        cell.samples = samples.length;
        if (finished && code === 0) cell.status = 'ok';
        else if (timedOut) cell.status = 'timeout';
        else if (interrupted) cell.status = 'interrupted';
        else if (errorMessage) cell.status = 'error';
        else cell.status = 'crashed';
        cell.error =
          errorMessage ??
          (cell.status === 'timeout' ? `exceeded --cell-timeout ${manifest.options.cellTimeoutS}s` : null) ??
          (cell.status === 'crashed' ? `process ended with ${signal ? `signal ${signal}` : `exit code ${code}`} (see ${paths.stderr(id)})` : null);
        // Verdicts are computed once, here, and stored beside the series; also for partial series.
        if (samples.some((s) => s.phase === 'measure')) {
          try {
            writeVerdict(dir, analyseCell(id, samples, { warmup: cell.spec.warmup }));
          } catch (e) {
            cell.error ??= `verdict failed: ${(e as Error).message}`;
          }
        }
        save();
        opts.onEvent?.({ type: 'cell-end', cell });
        done();
      });
    });

  const queue = [...todo];
  const workers = Array.from({ length: Math.min(manifest.options.jobs, queue.length) }, async () => {
    for (let cell = queue.shift(); cell && !interrupted; cell = queue.shift()) await runOne(cell);
  });
  await Promise.all(workers);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  save();
  const failed = manifest.cells.filter((c) => c.status !== 'ok');
  return { manifest, failed, interrupted };
}

/** Re-runs only the cells of `dir` that did not finish; their partial series are kept beside as attempts. */
export async function resumeRun(dir: string, opts: ExecuteOptions & { jobs?: number } = {}): Promise<RunOutcome> {
  const manifest = readManifest(dir);
  const paths = runPaths(dir);
  if (opts.jobs) manifest.options.jobs = opts.jobs;
  for (const cell of manifest.cells) {
    if (cell.status === 'ok') continue;
    const samples = paths.samples(cell.spec.id);
    if (existsSync(samples)) {
      let n = 1;
      while (existsSync(samples.replace(/\.ndjson$/, `.attempt-${n}.ndjson`))) n++;
      renameSync(samples, samples.replace(/\.ndjson$/, `.attempt-${n}.ndjson`));
    }
    rmSync(paths.verdict(cell.spec.id), { force: true });
    Object.assign(cell, pendingRecord(cell.spec));
  }
  return executeRun(dir, manifest, opts);
}

