// `leakbench bench`: the backends' speed compared like for like — every backend in one process, interleaved
// rounds, fresh processes per host profile, the same work checked bit for bit — printed as a table and stored as
// JSON (a run's bench.json is shown by its report).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { BENCH_DEFAULTS, planBench, runBench } from '@leakbench/harness';
import { backendOption, commaList, HOST_PROFILES, nonNegativeInt, numericsOption, oneOf, positiveInt, positiveNumber, timeStamp } from '../args.js';
import { formatBench } from '../format.js';
import { loadAnyBackend } from '../registry.js';
import { WORKER } from '../worker-path.js';

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description("time the backends on the same work side by side in fresh processes per host profile (interleaved rounds, same results checked bit for bit): median ms per call and each backend's ratio to the first, with a bootstrap interval")
    .option('--backends <list>', 'comma list of built-in backends; the first is the baseline of every ratio', BENCH_DEFAULTS.backends.join(','))
    .option('--backend-module <path>', 'a module implementing the Backend interface, compared with the built-ins given with --backends, or with itself elsewhere (--runtime node,chromium)')
    .option('--option <name=value>', 'an option of the --backend-module (one it declares; repeat for several)', backendOption)
    .option('--runtime <list>', 'with --backend-module: where it runs, each its own column — node (this process), chromium (a page of headless Chromium); default node', (v: string) => commaList(v).map(oneOf('--runtime', ['node', 'chromium'] as const)))
    .option('--models <list>', "comma list of models (default: every model of the first backend)")
    .option('--rounds <n>', 'measured rounds per process (one call of every backend each)', positiveInt('--rounds'), BENCH_DEFAULTS.rounds)
    .option('--warmup <n>', 'rounds run first and not measured', nonNegativeInt('--warmup'), BENCH_DEFAULTS.warmup)
    .option('--processes <n>', 'fresh processes per host profile, each with its warm-up and rounds (the interval covers what differs between them)', positiveInt('--processes'), BENCH_DEFAULTS.processes)
    .option('--duration <ms>', "simulated ms per call (default: the model's)", positiveNumber('--duration'))
    .option('--host <list>', 'comma list of host profiles, each its own process: stable, stock', (v: string) => commaList(v).map(oneOf('--host', HOST_PROFILES)), BENCH_DEFAULTS.hosts)
    .addOption(numericsOption("glibc's FMA variants masked, so every backend computes the same (checked)", BENCH_DEFAULTS.numerics))
    .option('--profile <dir>', "also sample where each backend's time goes, function by function (Linux perf; perf.data and reports into <dir>)")
    .option('--out <file>', 'where to store the result (default: runs/bench-<timestamp>.json)')
    .option('--json', 'print the result as JSON')
    .action(async (o, cmd: Command) => {
      const hosts = o.host as (typeof HOST_PROFILES)[number][];
      // A module is compared with the built-ins only when they are named: alone, with itself in each --runtime.
      const backends = o.backendModule && cmd.getOptionValueSource('backends') !== 'cli' ? [] : commaList(o.backends);
      const req = { backends, backendModule: o.backendModule ?? null, backendOptions: o.option ?? {}, ...(o.runtime ? { runtimes: o.runtime } : {}), models: o.models ? commaList(o.models) : null, rounds: o.rounds, warmup: o.warmup, processes: o.processes, durationMs: o.duration ?? null, hosts, numerics: o.numerics, profile: o.profile ? resolve(o.profile) : null };
      const job = await planBench(req, loadAnyBackend);
      const out = resolve(o.out ?? `runs/bench-${timeStamp()}.json`);
      const result = await runBench(job, req, WORKER, (h) => o.json || process.stderr.write(`leakbench bench: host ${h}, ${job.processes} process(es) × ${job.models.length} model(s) × ${job.backends.length} backends × ${job.rounds + job.warmup} rounds…\n`));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
      process.stdout.write(o.json ? JSON.stringify(result, null, 1) + '\n' : formatBench(result) + `bench: ${out}\n`);
      // Portable numerics promise the same work on every backend; a ratio of different work is not a comparison.
      const differing = result.hosts.flatMap((h) => h.models.filter((m) => !m.identical).map((m) => `${h.host.profile}/${m.model}`));
      if (o.numerics === 'portable' && differing.length) {
        process.stderr.write(`leakbench bench: the backends did not compute the same results (${differing.join(', ')}) although numerics are portable: their time ratio is not like for like\n`);
        process.exitCode = 1;
      }
    });
}
