// `leakbench calibrate`: detection power of the verdicts, from the fixtures as ground truth.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { parseFixtureList, UsageError } from '@leakbench/core';
import { calibrate, CALIBRATE_DEFAULTS, recalibrate, RUN_DEFAULTS } from '@leakbench/harness';
import { attributeWhen, backendOption, commaList, HOST_PROFILES, nonNegativeInt, oneOf, positiveInt, positiveNumber, timeStamp, runtimeOption } from '../args.js';
import { formatCalibration } from '../format.js';
import { progressReporter } from '../progress.js';
import { loadAnyBackend } from '../registry.js';
import { WORKER } from '../worker-path.js';

/** `--until-decided` and its bounds, checked against the options they cannot go with. */
function sequentialTrials(o: { untilDecided?: boolean; minIterations?: number; maxIterations?: number; warmup?: number }, cmd: Command): { minIterations: number | null; warmup?: number } | null {
  if (!o.untilDecided) {
    const stray = o.minIterations !== undefined ? '--min-iterations' : o.maxIterations !== undefined ? '--max-iterations' : o.warmup !== undefined ? '--warmup' : null;
    if (stray) throw new UsageError(`${stray} is for sequential trials: give it with --until-decided (fixed trials take --iterations)`);
    return null;
  }
  if (cmd.getOptionValueSource('iterations') === 'cli') throw new UsageError('--iterations lists fixed counts; sequential trials take --max-iterations');
  return { minIterations: o.minIterations ?? null, ...(o.warmup !== undefined ? { warmup: o.warmup } : {}) };
}

export function registerCalibrate(program: Command): void {
  program
    .command('calibrate')
    .description('measure detection power: independent trials of every fixture at increasing iteration counts')
    .option('--backends <list>', 'comma list of backends', 'native,wasm')
    .option('--backend-module <path>', "a module implementing the Backend interface (replaces --backends), measured through the harness's own probes as run --backend-module measures it")
    .option('--option <name=value>', 'an option of the --backend-module (one it declares; repeat for several)', backendOption)
    .addOption(runtimeOption())
    .option('--native-module <patterns>', "comma list of fnmatch globs over full paths of the shared objects whose C heap leakbench's malloc interposer counts (default with --backend-module: every Node-API addon, '*.node')")
    .option('--model <id>', "model (workload); default lr1991, or the only workload a --backend-module declares")
    .option('--fixtures <list>', 'fixtures, incl. a malloc:<bytes> sweep', CALIBRATE_DEFAULTS.fixtures.join(','))
    .option('--iterations <list>', 'iteration counts', CALIBRATE_DEFAULTS.iterationCounts.join(','))
    .option('--trials <n>', 'trials per backend, fixture and count', positiveInt('--trials'), CALIBRATE_DEFAULTS.trials)
    .option('--none-trials <n>', 'trials of `none` per backend and count (false-positive rate)', positiveInt('--none-trials'), CALIBRATE_DEFAULTS.noneTrials)
    .option('--duration <ms>', "simulated ms per iteration (default: the model's)", positiveNumber('--duration'))
    .addOption(new Option('--gc <policy>', 'GC policy').argParser(oneOf('--gc', ['none', 'before-sample'] as const)).default('before-sample'))
    .option('--jobs <n>', 'trials in parallel', positiveInt('--jobs'), 2)
    .addOption(new Option('--host <profile>', 'cell process profile').argParser(oneOf('--host', HOST_PROFILES)).default('stable'))
    .option('--attribute', "give every trial an attribution pass that its verdict reads (default: the trials whose JS heap V8's JIT leaves unsettled, in --host stock)")
    .option('--no-attribute', 'give no trial an attribution pass')
    .option('--until-decided', 'sequential trials: each stops at the first look that decides it (as run --until-decided), at most --max-iterations; the summaries add iterations to a decision')
    .option('--min-iterations <n>', 'with --until-decided: no trial stops before this iteration (default: warm-up + 7)', positiveInt('--min-iterations'))
    .option('--max-iterations <n>', 'with --until-decided: the most iterations a trial runs (default 500)', positiveInt('--max-iterations'))
    .option('--warmup <n>', 'with --until-decided: warm-up iterations of every trial (default 20; fixed counts warm up for 10 % of their count)', nonNegativeInt('--warmup'))
    .option('--out <dir>', 'new or empty directory for the trials and calibration.json')
    .option('--reanalyse <dir>', 're-analyse the stored trials of an earlier calibration with the current verdicts (no re-run); the true growth stays the one recorded with them')
    .option('--remeasure-truth', 'with --reanalyse: measure the true growth again with the current build (and the backend module where the trials found it)')
    .option('--json', 'print the summaries as JSON')
    .action(async (o, cmd: Command) => {
      const sequential = sequentialTrials(o, cmd);
      if (o.remeasureTruth && !o.reanalyse) throw new UsageError('--remeasure-truth goes with --reanalyse <dir> (a new calibration always measures it)');
      if (o.reanalyse) {
        const result = recalibrate(resolve(o.reanalyse), WORKER, { remeasureTruth: !!o.remeasureTruth });
        if (o.json) process.stdout.write(JSON.stringify(result.summaries, null, 2) + '\n');
        else process.stdout.write(formatCalibration(result) + `calibration: ${resolve(o.reanalyse)}/calibration.json\n`);
        return;
      }
      const counts = sequential ? [o.maxIterations ?? RUN_DEFAULTS.iterations] : commaList(o.iterations).map((x) => positiveInt('--iterations')(x));
      const out = resolve(o.out ?? `runs/calibration-${timeStamp()}`);
      const fixtures = commaList(o.fixtures); // as given (`zoo` expands when planned, skipping what a backend cannot carry)
      const planned = parseFixtureList(fixtures).map((f) => f.id); // for the progress total
      const backends = o.backendModule ? [] : commaList(o.backends);
      const cells = (o.backendModule ? 1 : backends.length) * planned.reduce((a, f) => a + (f === 'none' ? o.noneTrials : o.trials), 0) * counts.length;
      const p = progressReporter(cells, cells * (counts.reduce((a: number, b: number) => a + b, 0) / counts.length), !!o.json);
      let result;
      try {
        result = await calibrate(
          {
            backends,
            backendModule: o.backendModule ? resolve(o.backendModule) : null,
            ...(o.option ? { backendOptions: o.option as Record<string, string> } : {}),
            nativeModules: o.nativeModule ? commaList(o.nativeModule) : null,
            runtime: o.runtime,
            model: o.model ?? (o.backendModule ? null : 'lr1991'),
            fixtures, iterationCounts: counts, trials: o.trials, noneTrials: o.noneTrials, gc: o.gc, jobs: o.jobs, durationMs: o.duration, host: o.host, attribute: attributeWhen(o.attribute), sequential, out },
          loadAnyBackend,
          { worker: WORKER, onEvent: p.onEvent },
        );
      } finally {
        p.stop();
      }
      if (o.json) process.stdout.write(JSON.stringify(result.summaries, null, 2) + '\n');
      else process.stdout.write(formatCalibration(result) + `calibration: ${out}/calibration.json\n`);
    });
}
