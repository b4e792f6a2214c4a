// `leakbench run` and `leakbench run --resume`: the matrix through the harness, with progress, the outcome
// table, exit codes and (with --report) the site.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { readManifest, readVerdict, runPaths, UsageError } from '@leakbench/core';
import { BENCH_DEFAULTS, createRun, executeRun, planBench, resumeRun, runBench, RUN_DEFAULTS, type RunOutcome } from '@leakbench/harness';
import { backendOption, attributeWhen, commaList, HOST_PROFILES, numericsOption, runtimeOption, shardArg, nonNegativeInt, oneOf, positiveInt, positiveNumber, timeStamp } from '../args.js';
import { formatBench, formatOutcome } from '../format.js';
import { progressReporter } from '../progress.js';
import { loadAnyBackend } from '../registry.js';
import { WORKER } from '../worker-path.js';

/** Prints the outcome; returns the exit code (0 all ok, 1 some cells failed, 130 interrupted). */
function reportOutcome(dir: string, outcome: RunOutcome, json: boolean): number {
  const rows = outcome.manifest.cells.map((c) => ({ cell: c.spec.id, status: c.status, samples: c.samples, error: c.error, verdict: readVerdict(dir, c.spec.id) }));
  if (json) process.stdout.write(JSON.stringify({ dir, interrupted: outcome.interrupted, failed: outcome.failed.map((c) => c.spec.id), cells: rows }, null, 2) + '\n');
  else process.stdout.write(formatOutcome(dir, outcome, rows));
  for (const a of outcome.attributionFailed) process.stderr.write(`leakbench: attribution of ${a.cell} failed: ${a.error}\n`);
  if (outcome.interrupted) return 130;
  return outcome.failed.length || outcome.attributionFailed.length ? 1 : 0;
}

/** `--until-decided` and its bounds, checked against the options they cannot go with. */
function sequentialRequest(o: { untilDecided?: boolean; minIterations?: number; maxIterations?: number; resume?: string }, cmd: Command): { minIterations: number | null } | null {
  if (!o.untilDecided) {
    const stray = o.minIterations !== undefined ? '--min-iterations' : o.maxIterations !== undefined ? '--max-iterations' : null;
    if (stray) throw new UsageError(`${stray} bounds a sequential run: give it with --until-decided (a fixed run takes --iterations)`);
    return null;
  }
  if (o.resume) throw new UsageError('--until-decided is not given with --resume: a resumed run keeps the options it was started with');
  if (cmd.getOptionValueSource('iterations') === 'cli') {
    throw new UsageError('--iterations sets a fixed count; with --until-decided give the most a cell may run as --max-iterations');
  }
  return { minIterations: o.minIterations ?? null };
}

function defaultOutDir(): string {
  return resolve('runs', `run-${timeStamp()}`);
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run the backend × model × fixture matrix, each cell in a fresh Node process')
    .option('--backends <list>', 'comma list of backends', RUN_DEFAULTS.backends.join(','))
    .option('--backend-module <path>', 'a module implementing the Backend interface (replaces --backends)')
    .option('--option <name=value>', 'an option of the --backend-module (one it declares; repeat for several)', backendOption)
    .addOption(runtimeOption())
    .option('--native-module <patterns>', "comma list of fnmatch globs over full paths of the shared objects whose C heap leakbench's malloc interposer counts in every cell (default with --backend-module: every Node-API addon, '*.node')")
    .option('--models <list>', `comma list of models (workloads); default ${RUN_DEFAULTS.models.join(',')}, or every workload a --backend-module declares`)
    .option('--fixtures <list>', "comma list of fixture ids (see leakbench list); all = none,object,list,double,double100; zoo = every shape with its defaults (default: all; with --backend-module: none, the module's own work)")
    .option('--iterations <n>', 'iterations per cell, warm-up included', positiveInt('--iterations'), RUN_DEFAULTS.iterations)
    .option('--warmup <n>', 'first iterations recorded but marked warm-up', nonNegativeInt('--warmup'), RUN_DEFAULTS.warmup)
    .option('--duration <ms>', "simulated ms per iteration (default: the model's)", positiveNumber('--duration'))
    .option('--log-interval <ms>', "logged state interval (default: the model's)", positiveNumber('--log-interval'))
    .addOption(new Option('--gc <policy>', 'none, or two full GCs before each sample (byte-exact heap figures)').argParser(oneOf('--gc', ['none', 'before-sample'] as const)).default(RUN_DEFAULTS.gc))
    .option('--jobs <n>', 'cells run in parallel', positiveInt('--jobs'), RUN_DEFAULTS.jobs)
    .option('--cell-timeout <s>', 'seconds before a cell process is killed and the cell marked timeout (with --recycle: each process)', positiveNumber('--cell-timeout'), RUN_DEFAULTS.cellTimeoutS)
    .addOption(new Option('--host <profile>', 'cell process profile: stable (no JIT tiers, no glibc tcache) or stock').argParser(oneOf('--host', HOST_PROFILES)).default(RUN_DEFAULTS.host))
    .addOption(numericsOption("native cells mask glibc's FMA variants of exp/log/pow, so they compute what WASM computes, bit for bit", RUN_DEFAULTS.numerics))
    .option('--no-settle', 'skip the settle check (GC + event-loop turns, then one more sample)')
    .option('--recycle <n>', 'a fresh process for each cell every n iterations (worker recycling; each process warms up again first, uncounted); the verdict joins the segments, the report shows them', positiveInt('--recycle'))
    .option('--until-decided', 'sequential: each cell stops at the first look that decides every layer (a leak at once, a no-leak after 20 iterations past the warm-up), at most --max-iterations; the levels are spent across looks (README "Sequential runs")')
    .option('--min-iterations <n>', 'with --until-decided: no cell stops (nothing is decided) before this iteration (default: warm-up + 7, the first look a verdict can decide at)', positiveInt('--min-iterations'))
    .option('--max-iterations <n>', `with --until-decided: the most iterations a cell runs, warm-up included (default ${RUN_DEFAULTS.iterations})`, positiveInt('--max-iterations'))
    .option('--shard <k/n>', 'run only shard k of n of the matrix (every n-th cell from the k-th; join the shards with leakbench merge)', shardArg)
    .option('--out <dir>', 'new or empty run directory (default: runs/run-<timestamp>)')
    .option('--resume <dir>', 'run the cells of <dir> that did not finish: one stopped after its warm-up goes on where its series stopped, in a fresh process')
    .option('--attribute', "after every cell, a second pass of it with heap snapshots: where the growth is (cells/<id>/attribution.json); by default only cells whose JS heap V8's JIT leaves unsettled (--host stock) get one")
    .option('--no-attribute', 'no attribution pass for any cell')
    .option('--bench', "after the cells, time the run's backends side by side (leakbench bench, the run's models, host profile and numerics) into <run>/bench.json, which the report shows")
    .option('--report [site-dir]', 'build the static report after the run (default: <run>/site)')
    .option('--json', 'print the outcome as JSON')
    .action(async (o, cmd: Command) => {
      const sequential = sequentialRequest(o, cmd);
      let dir: string;
      let outcome: RunOutcome;
      if (o.resume) {
        dir = resolve(o.resume);
        const todo = readManifest(dir).cells.filter((c) => c.status !== 'ok');
        const p = progressReporter(todo.length, todo.reduce((a, c) => a + c.spec.iterations, 0), o.json);
        try {
          outcome = await resumeRun(dir, { worker: WORKER, onEvent: p.onEvent, jobs: o.jobs, attribute: attributeWhen(o.attribute) });
        } finally {
          p.stop();
        }
      } else {
        dir = resolve(o.out ?? defaultOutDir());
        if (o.bench && (o.backendModule || commaList(o.backends).length < 2)) {
          throw new UsageError('--bench compares backends: give at least two built-in ones with --backends (or time a module with leakbench bench --backend-module)');
        }
        const { manifest, skipped } = await createRun(
          {
            backends: o.backendModule ? [] : commaList(o.backends),
            backendModule: o.backendModule ?? null,
            models: o.models ? commaList(o.models) : o.backendModule ? null : RUN_DEFAULTS.models,
            backendOptions: o.option ?? {},
            fixtures: commaList(o.fixtures ?? (o.backendModule ? 'none' : 'all')),
            iterations: sequential ? (o.maxIterations ?? RUN_DEFAULTS.iterations) : o.iterations,
            warmup: o.warmup,
            durationMs: o.duration,
            logIntervalMs: o.logInterval,
            gc: o.gc,
            jobs: o.jobs,
            cellTimeoutS: o.cellTimeout,
            settle: o.settle,
            host: o.host,
            numerics: o.numerics,
            shard: o.shard ?? null,
            recycle: o.recycle ?? null,
            sequential,
            nativeModules: o.nativeModule ? commaList(o.nativeModule) : null,
            runtime: o.runtime,
            out: dir,
          },
          loadAnyBackend,
        );
        for (const line of skipped) process.stderr.write(`leakbench: skipped ${line}\n`);
        const p = progressReporter(manifest.cells.length, manifest.cells.reduce((a, c) => a + c.spec.iterations, 0), o.json);
        try {
          outcome = await executeRun(dir, manifest, { worker: WORKER, onEvent: p.onEvent, attribute: attributeWhen(o.attribute) });
        } finally {
          p.stop();
        }
      }
      process.exitCode = reportOutcome(dir, outcome, o.json);
      if (o.bench && !outcome.interrupted) {
        const m = readManifest(dir).options;
        const req = { backends: m.backends, backendModule: null, models: m.models, rounds: BENCH_DEFAULTS.rounds, warmup: BENCH_DEFAULTS.warmup, processes: BENCH_DEFAULTS.processes, durationMs: m.durationMs, hosts: [m.host.profile], numerics: m.host.numerics };
        const bench = await runBench(await planBench(req, loadAnyBackend), req, WORKER);
        writeFileSync(runPaths(dir).bench, JSON.stringify(bench, null, 1) + '\n');
        if (!o.json) process.stdout.write(formatBench(bench));
      }
      if (o.report && !outcome.interrupted) {
        const site = typeof o.report === 'string' ? resolve(o.report) : join(dir, 'site');
        const { buildReport } = await import('@leakbench/report'); // jsdom and Plot: ~1 s to load, only when a report is asked for
        await buildReport([dir], site, { keepGoing: true });
        if (!o.json) process.stdout.write(`report: ${join(site, 'index.html')}\n`);
      }
    });
}
