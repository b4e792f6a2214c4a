// `leakbench bench`: how much slower one backend is than another on the same work, measured like for like. Every
// backend runs in one process (started as a cell is: the profile's node flags, its environment, the numerics),
// call by call in interleaved rounds whose order rotates each round, so that a slow moment of the machine lands on
// every backend alike; a warm-up first (WASM code tiers up, caches fill); several such processes per host profile,
// because where a process's code lands moves its ratio by a few per cent. Before timing, one
// call per backend checks that they compute the same thing: a ratio of times is a fair comparison only if the
// work is identical (same trace bit for bit, same solver steps).
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findModel, parseFixture, UsageError, BENCH_SCHEMA } from '@leakbench/core';
import type { Backend, BenchResult, BuildInfo, CellHost, SimulateOptions } from '@leakbench/core';
import { median, medianRatio } from '@leakbench/analysis';
import { collectEnvironment } from './environment.js';
import { hostSettings, type HostProfile, type Numerics } from './host.js';
import { checkProfiling, profileProcess, workloadSamples, type ProfileJob } from './profile.js';
import type { BackendLoader } from './worker.js';
// The bench process loads this module when asked; playwright-core loads only when a page is opened (chromium.ts).
import { bundleForPage, openPage, pageJsFlags, pageJsFlagsEnv, type PageBuild } from '@leakbench/browser-host';

export interface BenchRequest {
  /** Built-in backend ids; the first is the baseline every ratio divides by. */
  backends: string[];
  /** A user backend module compared with the built-ins (after them). */
  backendModule: string | null;
  /** Its `--option`s. */
  backendOptions?: Record<string, string>;
  /** Where the module runs, each its own column (`--runtime node,chromium`): in the bench's process, in a page. */
  runtimes?: CellHost[];
  /** Models to time; null: every model of the first backend. */
  models: string[] | null;
  rounds: number;
  warmup: number;
  /** Fresh processes per host profile, each with its warm-up and rounds: the interval covers what varies between them. */
  processes: number;
  /** Simulated ms per call; default: each model's own. */
  durationMs: number | null;
  hosts: HostProfile[];
  numerics: Numerics;
  /** Also sample where each backend's time goes (profile.ts), into this directory; null: no profile. */
  profile?: string | null;
}

/** Seconds of calls each profile samples (enough for a few thousand samples at perf's 2 kHz). */
const PROFILE_SECONDS = 2;
/** Functions a profile table keeps: the largest by their time per call on any backend. */
const PROFILE_TOP = 15;

export const BENCH_DEFAULTS = { backends: ['native', 'wasm'], rounds: 100, warmup: 20, processes: 3, hosts: ['stable', 'stock'] as HostProfile[], numerics: 'portable' as Numerics };

/** What the bench process is asked to do (argv of the worker's `bench` mode). */
interface BenchJob {
  backends: { id: string; module: string | null; options?: Record<string, string>; host?: CellHost }[];
  models: string[];
  rounds: number;
  warmup: number;
  /** How many bench processes run the job per host profile (the parent's; each process runs it once). */
  processes: number;
  durationMs: number | null;
  /** Each model's call, as the plan set it from the first backend's protocol (a page-only module is not loaded again). */
  calls: Record<string, SimulateOptions>;
}

/** One model as measured in one process. */
interface BenchTimes {
  model: string;
  durationMs: number | null;
  identical: boolean;
  maxAbsDifference: number;
  steps: Record<string, number>;
  timesMs: Record<string, number[]>;
}

interface BenchOutput {
  builds: Record<string, BuildInfo>;
  models: BenchTimes[];
}

/** Checks a request against the real backends (loaded here once) before any process starts. Throws UsageError. */
export async function planBench(req: BenchRequest, load: BackendLoader): Promise<BenchJob> {
  if (!Number.isInteger(req.rounds) || req.rounds < 2) throw new UsageError(`--rounds must be a whole number >= 2 (got ${req.rounds}): an interval needs at least two rounds`);
  if (!Number.isInteger(req.warmup) || req.warmup < 0) throw new UsageError(`--warmup must be a whole number >= 0 (got ${req.warmup})`);
  if (!Number.isInteger(req.processes) || req.processes < 1) throw new UsageError(`--processes must be a whole number >= 1 (got ${req.processes})`);
  if (req.durationMs !== null && !(req.durationMs > 0 && Number.isFinite(req.durationMs))) throw new UsageError(`--duration must be a positive number of ms (got ${req.durationMs})`);
  if (req.hosts.length === 0) throw new UsageError('--host: give at least one profile; accepted: stable, stock');
  if (req.models?.length === 0) throw new UsageError('--models: give at least one model');
  if (req.profile) checkProfiling();
  const runtimes = req.runtimes?.length ? req.runtimes : (['node'] as CellHost[]);
  if (!req.backendModule && req.runtimes?.some((r) => r !== 'node')) throw new UsageError('--runtime places a --backend-module; the built-in WASM module in a page is --backends wasm-chromium');
  const options = req.backendOptions ?? {};
  type Spec = BenchJob['backends'][number];
  const specs: Spec[] = [...req.backends.map((id): Spec => ({ id, module: null })), ...(req.backendModule ? runtimes.map((host): Spec => ({ id: '', module: req.backendModule, options, host })) : [])];
  if (specs.length < 2) throw new UsageError(`bench compares backends: give at least two (got ${specs.length}); e.g. --backends native,wasm, or a --backend-module in two places (--runtime node,chromium)`);
  const loaded: Backend[] = [];
  for (const s of specs) loaded.push(await load(s.id, s.module, s.options ?? {}, s.host));
  const inPages = loaded.filter((b) => b.host === 'chromium').map((b) => b.id);
  if (req.profile && inPages.length) throw new UsageError(`--profile samples a process with Linux perf; ${inPages.join(', ')} runs in a page of Chromium, where where-the-time-goes is not built yet: leave out --profile, or leave out ${inPages.join(', ')}`);
  const ids = loaded.map((b) => b.id);
  const twice = ids.find((id, k) => ids.indexOf(id) !== k);
  if (twice) throw new UsageError(`--backends: '${twice}' is given twice`);
  const models = req.models ?? loaded[0]!.models().map((m) => m.id);
  for (const b of loaded) for (const m of models) findModel(b.models(), m);
  const calls = Object.fromEntries(models.map((m) => [m, callOptions(loaded[0]!, m, req.durationMs)]));
  return { backends: specs.map((s, k) => ({ ...s, id: s.module ? loaded[k]!.id : s.id })), models, rounds: req.rounds, warmup: req.warmup, processes: req.processes, durationMs: req.durationMs, calls };
}

/** Runs the bench in `job.processes` fresh processes per host profile and summarises it. `worker`: the script that calls runWorker. */
export async function runBench(job: BenchJob, req: Pick<BenchRequest, 'hosts' | 'numerics' | 'profile'>, worker: string, onHost?: (host: HostProfile) => void): Promise<BenchResult> {
  const hosts: BenchResult['hosts'] = [];
  let builds: Record<string, BuildInfo> = {};
  for (const profile of req.hosts) {
    onHost?.(profile);
    const host = hostSettings(profile, req.numerics);
    const outs: BenchOutput[] = [];
    for (let p = 0; p < job.processes; p++) outs.push(await benchProcess(job, host, worker));
    const out = joinProcesses(outs);
    builds = out.builds;
    const groups = outs.flatMap((_, p) => Array.from({ length: job.rounds }, () => p));
    const baseline = job.backends[0]!.id;
    hosts.push({
      host,
      models: out.models.map((m) => {
        const medianMs = Object.fromEntries(Object.entries(m.timesMs).map(([id, t]) => [id, median(t)]));
        return {
          ...m,
          medianMs,
          ratios: Object.fromEntries(
            Object.entries(m.timesMs)
              .filter(([id]) => id !== baseline)
              .map(([id, t]) => [id, medianRatio(t, m.timesMs[baseline]!, { paired: true, groups })]),
          ),
          profile: req.profile ? profileModel(job, m, medianMs, host, worker, req.profile) : null,
        };
      }),
    });
  }
  return {
    schema: BENCH_SCHEMA,
    createdAt: new Date().toISOString(),
    environment: collectEnvironment(),
    options: { backends: job.backends.map((b) => b.id), models: job.models, rounds: job.rounds, warmup: job.warmup, processes: job.processes, durationMs: job.durationMs },
    builds,
    hosts,
  };
}

/** The processes of one host profile as one: rounds one after the other, the same work only if it was in every one. */
function joinProcesses(outs: BenchOutput[]): BenchOutput {
  const first = outs[0]!;
  return {
    builds: first.builds,
    models: first.models.map((m, k) => {
      const all = outs.map((o) => o.models[k]!);
      return {
        ...m,
        identical: all.every((x) => x.identical && JSON.stringify(x.steps) === JSON.stringify(m.steps)),
        maxAbsDifference: Math.max(...all.map((x) => x.maxAbsDifference)),
        timesMs: Object.fromEntries(Object.keys(m.timesMs).map((id) => [id, all.flatMap((x) => x.timesMs[id]!)])),
      };
    }),
  };
}

/** Each backend's calls of one model sampled in its own process; the functions' time per call side by side. */
function profileModel(job: BenchJob, m: BenchTimes, medianMs: Record<string, number>, host: ReturnType<typeof hostSettings>, worker: string, dir: string): NonNullable<BenchResult['hosts'][number]['models'][number]['profile']> {
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const samples: Record<string, number> = {};
  const workloadShare: Record<string, number> = {};
  const perBackend = new Map<string, Map<string, number>>();
  for (const backend of job.backends) {
    const p: ProfileJob = { backend, model: m.model, durationMs: m.durationMs, warmup: job.warmup, calls: Math.max(20, Math.ceil((PROFILE_SECONDS * 1000) / medianMs[backend.id]!)) };
    const file = join(dir, `${host.profile}-${m.model}-${backend.id}`);
    const w = workloadSamples(profileProcess(p, host, worker, file));
    const inWorkload = [...w.functions.values()].reduce((a, b) => a + b, 0);
    files[backend.id] = `${basename(file)}.perf.data`;
    samples[backend.id] = inWorkload;
    workloadShare[backend.id] = w.total ? inWorkload / w.total : 0;
    perBackend.set(backend.id, new Map([...w.functions].map(([f, n]) => [f, inWorkload ? (n / inWorkload) * medianMs[backend.id]! : 0])));
  }
  const names = [...new Set([...perBackend.values()].flatMap((f) => [...f.keys()]))];
  const functions = names
    .map((f) => ({ function: f, msPerCall: Object.fromEntries(job.backends.map((b) => [b.id, perBackend.get(b.id)!.get(f) ?? 0])) }))
    .sort((a, b) => Math.max(...Object.values(b.msPerCall)) - Math.max(...Object.values(a.msPerCall)) || a.function.localeCompare(b.function))
    .slice(0, PROFILE_TOP);
  return { files, samples, workloadShare, functions };
}

function benchProcess(job: BenchJob, host: ReturnType<typeof hostSettings>, worker: string): Promise<BenchOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...host.nodeFlags, worker, 'bench', JSON.stringify(job)], {
      // A backend in a page runs the profile's V8 flags there too (as its cells do: cell-process.ts).
      env: { ...process.env, ...host.env, ...pageJsFlagsEnv(host.nodeFlags) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) return reject(new Error(`the bench process (host ${host.profile}) ended with ${signal ?? `exit code ${code}`}: ${stderr.trim()}`));
      resolve(JSON.parse(stdout) as BenchOutput);
    });
  });
}

/** Bit-for-bit equality of two traces, and the largest difference of any value. */
function compareTraces(a: Float64Array, b: Float64Array): { identical: boolean; maxAbsDifference: number } {
  if (a.length !== b.length) return { identical: false, maxAbsDifference: Number.POSITIVE_INFINITY };
  const same = Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  let max = 0;
  for (let k = 0; k < a.length; k++) max = Math.max(max, Math.abs(a[k]! - b[k]!));
  return { identical: same, maxAbsDifference: max };
}

/** One timed call: the model over `durationMs` (default: the model's), the workload alone (fixture none). */
function callOptions(backend: Backend, model: string, durationMs: number | null): SimulateOptions {
  const info = findModel(backend.models(), model);
  const ms = durationMs ?? info.defaultDurationMs ?? null;
  const log = info.defaultLogIntervalMs ?? ms;
  return { model, durationMs: ms, logIntervalMs: ms === null || log === null ? log : Math.min(log, ms), fixture: parseFixture('none') };
}

/** Inside a profiled process (worker mode `bench-calls <job-json>`): one backend's calls, untimed; says its pid. */
export async function benchCallsMain(args: string[], load: BackendLoader): Promise<void> {
  const job = JSON.parse(args[0]!) as ProfileJob;
  const backend = await load(job.backend.id, job.backend.module);
  const opts = callOptions(backend, job.model, job.durationMs);
  for (let k = 0; k < job.warmup + job.calls; k++) backend.simulate(opts);
  process.stdout.write(JSON.stringify({ pid: process.pid }) + '\n');
}

/**
 * One backend as the bench times it, wherever its module runs: in this process (a Node backend, timed by the
 * process's clock around the call) or in a page of Chromium (its own, timed by the page's clock around the call:
 * the DevTools round trip is not the module's time).
 */
interface TimedBackend {
  id: string;
  info(): BuildInfo;
  /** One call whose trace comes back whole, for the like-for-like check. */
  checked(opts: SimulateOptions): Promise<{ trace: Float64Array; steps: number; rhsEvals: number }>;
  /** One call; its time in ms. */
  timed(opts: SimulateOptions): Promise<number>;
  /** Collects the garbage of earlier calls (outside any timed call). */
  gc(): Promise<void>;
  close(): Promise<void>;
}

function inProcess(b: Backend): TimedBackend {
  const gc = (globalThis as { gc?: () => void }).gc;
  return {
    id: b.id,
    info: () => b.info(),
    checked: async (opts) => {
      const r = b.simulate(opts);
      return { trace: r.trace, steps: r.stats.steps, rhsEvals: r.stats.rhsEvals };
    },
    timed: async (opts) => {
      const t0 = process.hrtime.bigint();
      b.simulate(opts);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    },
    gc: async () => gc?.(),
    close: async () => undefined,
  };
}

/** A backend whose cells run in a page: the bench opens one page for it per model, with the host profile's V8 flags. */
async function inPage(id: string, page: PageBuild, opts: SimulateOptions, options?: Record<string, string>): Promise<TimedBackend> {
  const session = await openPage(page, opts, pageJsFlags(), { options: options ?? {}, probes: false });
  const { driver } = session;
  return {
    id,
    info: () => ({ ...session.build, backend: id }),
    checked: async () => {
      const r = await driver.call<{ trace: string; steps: number; rhsEvals: number }>('__leakbench.checkedCall()');
      const bytes = Buffer.from(r.trace, 'base64');
      return { trace: new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8), steps: r.steps, rhsEvals: r.rhsEvals };
    },
    timed: async () => (await driver.call<number>('__leakbench.iterate()')) / 1e6,
    gc: () => driver.gc(1),
    close: () => session.close(),
  };
}

/**
 * A job's backend in the bench process: loaded here, or — for one that runs in a page — its page build. A user's
 * module in a page is only bundled (the plan asked a page for what it is; the cell worker does the same).
 */
async function place(b: BenchJob['backends'][number], load: BackendLoader): Promise<{ id: string; backend: Backend } | { id: string; page: PageBuild; options?: Record<string, string> }> {
  if (b.host === 'chromium' && b.module) return { id: b.id, page: await bundleForPage(b.module), ...(b.options ? { options: b.options } : {}) };
  const backend = await load(b.id, b.module, b.options ?? {}, b.host);
  return backend.host === 'chromium' ? { id: backend.id, page: backend.pageBuild!() } : { id: backend.id, backend };
}

/** Inside the bench process (worker mode `bench <job-json>`): prints a BenchOutput as JSON on stdout. */
export async function benchMain(args: string[], load: BackendLoader): Promise<void> {
  const job = JSON.parse(args[0]!) as BenchJob;
  const placed = [];
  for (const b of job.backends) placed.push(await place(b, load));
  const builds: Record<string, BuildInfo> = {};
  const models: BenchTimes[] = [];
  for (const model of job.models) {
    const opts = job.calls[model]!;
    const backends: TimedBackend[] = [];
    try {
      for (const b of placed) backends.push('page' in b ? await inPage(b.id, b.page, opts, b.options) : inProcess(b.backend));
      for (const b of backends) builds[b.id] = b.info();
      const first: Awaited<ReturnType<TimedBackend['checked']>>[] = [];
      for (const b of backends) first.push(await b.checked(opts));
      let identical = true;
      let maxAbsDifference = 0;
      for (const r of first.slice(1)) {
        const c = compareTraces(first[0]!.trace, r.trace);
        identical &&= c.identical && r.steps === first[0]!.steps && r.rhsEvals === first[0]!.rhsEvals;
        maxAbsDifference = Math.max(maxAbsDifference, c.maxAbsDifference);
      }
      for (let w = 0; w < job.warmup; w++) for (const b of backends) await b.timed(opts);
      const timesMs: Record<string, number[]> = Object.fromEntries(backends.map((b) => [b.id, []]));
      for (let r = 0; r < job.rounds; r++) {
        for (const b of backends) await b.gc(); // the previous round's garbage is not collected inside a timed call
        for (let k = 0; k < backends.length; k++) {
          const b = backends[(r + k) % backends.length]!;
          timesMs[b.id]!.push(await b.timed(opts));
        }
      }
      models.push({ model, durationMs: opts.durationMs, identical, maxAbsDifference, steps: Object.fromEntries(backends.map((b, k) => [b.id, first[k]!.steps])), timesMs });
    } finally {
      for (const b of backends) await b.close();
    }
  }
  const out: BenchOutput = { builds, models };
  process.stdout.write(JSON.stringify(out) + '\n');
}
