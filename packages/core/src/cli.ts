#!/usr/bin/env node
// leakbench CLI: a thin layer over @leakbench/core. Bad input exits 2 with a message naming what is accepted.
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';
import { SimulationError } from './backend.js';
import { BUILTIN_BACKENDS, loadAnyBackend, checkBackendId } from './backends.js';
import { FIXTURES } from './fixtures.js';
import { formatCsv, formatJson, runSimulation } from './simulate.js';
import { commaList, oneOf, positiveInt, positiveNumber } from './cli-util.js';
import { progressReporter, registerRunCommands } from './cli-run.js';
import { join, resolve } from 'node:path';
import { checkRun, reanalyseRun } from './check.js';
import { calibrate, CALIBRATE_DEFAULTS, recalibrate } from './harness/calibrate.js';
import { formatCalibration } from './calibration-format.js';
import { parseFixtureList } from './fixtures.js';
import { buildSite } from './report-bridge.js';

const program = new Command('leakbench')
  .description('Find memory leaks in native and WebAssembly builds of numerical code, per memory layer, with confidence.')
  .exitOverride()
  .configureOutput({ outputError: (s, write) => write(s) });

program
  .command('simulate')
  .description('run the workload once and print the trace and solver statistics')
  .addOption(new Option('--backend <id>', 'backend').default('native'))
  .option('--backend-module <path>', 'a module implementing the Backend interface (instead of --backend)')
  .addOption(new Option('--model <id>', 'model').default('lr1991'))
  .option('--duration <ms>', 'simulated time (default: the model\'s)', positiveNumber('--duration'))
  .option('--log-interval <ms>', 'interval between logged states (default: the model\'s)', positiveNumber('--log-interval'))
  .option('--fixture <id>', 'leak fixture injected into the call', 'none')
  .option('--max-steps <n>', 'CVODE step budget per log interval (lower it to provoke a solver failure)', positiveInt('--max-steps'))
  .addOption(new Option('--format <fmt>', 'output format').argParser(oneOf('--format', ['csv', 'json'] as const)).default('csv'))
  .action(async (o) => {
    if (!o.backendModule) checkBackendId(o.backend);
    const backend = await loadAnyBackend(o.backend, o.backendModule ?? null);
    const r = runSimulation(backend, { model: o.model, durationMs: o.duration, logIntervalMs: o.logInterval, fixture: o.fixture, maxSteps: o.maxSteps });
    process.stdout.write(o.format === 'json' ? formatJson(r, backend, o.model) : formatCsv(r));
  });

program
  .command('list')
  .description('list backends, models and fixtures')
  .option('--json', 'machine-readable output')
  .action(async (o) => {
    const backend = await loadAnyBackend('native', null).catch(() => loadAnyBackend('wasm', null));
    const models = backend.models().map((m) => ({ id: m.id, description: `${m.title}; ${m.stateNames.length} states; stimulus every ${m.stimulus.periodMs} ms; default ${m.defaultDurationMs} ms` }));
    const backends = Object.entries(BUILTIN_BACKENDS).map(([id, b]) => ({ id, description: b.description }));
    const fixtures = FIXTURES.map((f) => ({ id: f.id, description: `${f.description} [${f.layer}]` }));
    if (o.json) return void process.stdout.write(JSON.stringify({ backends, models, fixtures }, null, 2) + '\n');
    for (const [title, rows] of [['backends', backends], ['models', models], ['fixtures', fixtures]] as const) {
      process.stdout.write(`${title}:\n`);
      for (const r of rows) process.stdout.write(`  ${r.id.padEnd(16)} ${r.description}\n`);
    }
  });

registerRunCommands(program);

program
  .command('check')
  .description('CI gate: exit 1 when a `none` cell leaks, or (with --baseline) when any layer\'s rate rose beyond its CI')
  .argument('<run-dir>', 'a finished run directory')
  .option('--baseline <run-dir>', 'compare every layer\'s rate against this run')
  .option('--json', 'machine-readable output')
  .action(async (dir: string, o) => {
    const r = checkRun(resolve(dir), o.baseline ? resolve(o.baseline) : null);
    if (o.json) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
    else {
      for (const c of r.cells) process.stdout.write(`  ${c.cell.padEnd(32)} ${c.decision.padEnd(12)} ${c.summary}\n`);
      for (const f of r.findings) process.stdout.write(`FAIL ${f.cell}: ${f.message}\n`);
      process.stdout.write(r.ok ? 'check passed\n' : `check failed: ${r.findings.length} finding(s)\n`);
    }
    process.exitCode = r.ok ? 0 : 1;
  });

program
  .command('analyse')
  .alias('analyze')
  .description('recompute and store every cell\'s verdict from its stored series (no re-run)')
  .argument('<run-dir>', 'a run directory')
  .option('--json', 'machine-readable output')
  .action(async (dir: string, o) => {
    const verdicts = reanalyseRun(resolve(dir));
    if (o.json) process.stdout.write(JSON.stringify(verdicts, null, 2) + '\n');
    else for (const v of verdicts) process.stdout.write(`  ${v.cellId.padEnd(32)} ${v.summary}\n`);
  });

program
  .command('calibrate')
  .description('measure detection power: independent trials of every fixture at increasing iteration counts')
  .option('--backends <list>', 'comma list of backends', 'native,wasm')
  .option('--model <id>', 'model', 'lr1991')
  .option('--fixtures <list>', 'fixtures, incl. a malloc:<bytes> sweep', CALIBRATE_DEFAULTS.fixtures.join(','))
  .option('--iterations <list>', 'iteration counts', CALIBRATE_DEFAULTS.iterationCounts.join(','))
  .option('--trials <n>', 'trials per backend, fixture and count', positiveInt('--trials'), CALIBRATE_DEFAULTS.trials)
  .option('--none-trials <n>', 'trials of `none` per backend and count (false-positive rate)', positiveInt('--none-trials'), CALIBRATE_DEFAULTS.noneTrials)
  .option('--duration <ms>', "simulated ms per iteration (default: the model's)", positiveNumber('--duration'))
  .addOption(new Option('--gc <policy>', 'GC policy').argParser(oneOf('--gc', ['none', 'before-sample'] as const)).default('before-sample'))
  .option('--jobs <n>', 'trials in parallel', positiveInt('--jobs'), 2)
  .addOption(new Option('--host <profile>', 'cell process profile').argParser(oneOf('--host', ['stable', 'stock'] as const)).default('stable'))
  .option('--out <dir>', 'new or empty directory for the trials and calibration.json')
  .option('--reanalyse <dir>', 're-analyse the stored trials of an earlier calibration with the current verdicts (no re-run)')
  .option('--json', 'print the summaries as JSON')
  .action(async (o) => {
    if (o.reanalyse) {
      const result = recalibrate(resolve(o.reanalyse));
      if (o.json) process.stdout.write(JSON.stringify(result.summaries, null, 2) + '\n');
      else process.stdout.write(formatCalibration(result) + `calibration: ${resolve(o.reanalyse)}/calibration.json\n`);
      return;
    }
    const counts = commaList(o.iterations).map((x) => positiveInt('--iterations')(x));
    const out = resolve(o.out ?? `runs/calibration-${new Date().toISOString().replace(/[:]/g, '').replace(/\..*$/, '')}`);
    const fixtures = parseFixtureList(o.fixtures);
    const backends = commaList(o.backends);
    const cells = backends.length * fixtures.reduce((a, f) => a + (f === 'none' ? o.noneTrials : o.trials), 0) * counts.length;
    const p = progressReporter(cells, cells * (counts.reduce((a: number, b: number) => a + b, 0) / counts.length), !!o.json);
    let result;
    try {
      result = await calibrate(
        { backends, model: o.model, fixtures, iterationCounts: counts, trials: o.trials, noneTrials: o.noneTrials, gc: o.gc, jobs: o.jobs, durationMs: o.duration, host: o.host, out },
        { onEvent: p.onEvent },
      );
    } finally {
      p.stop();
    }
    if (o.json) process.stdout.write(JSON.stringify(result.summaries, null, 2) + '\n');
    else process.stdout.write(formatCalibration(result) + `calibration: ${out}/calibration.json\n`);
  });

program
  .command('report')
  .description('build the static report site from stored runs (no re-run)')
  .argument('<run-dirs...>', 'run directories')
  .requiredOption('--out <site-dir>', 'output directory for the site')
  .option('--keep-going', 'render the other runs when one is bad (exit 2 still reported)')
  .option('--title <text>', 'site title')
  .action(async (dirs: string[], o) => {
    const t0 = performance.now();
    const r = await buildSite(dirs.map((d) => resolve(d)), resolve(o.out), { keepGoing: !!o.keepGoing, title: o.title });
    for (const f of r.failed) process.stderr.write(`leakbench: ${f.error}\n`);
    process.stdout.write(`report: ${r.pages.length} pages in ${((performance.now() - t0) / 1000).toFixed(2)} s -> ${join(resolve(o.out), 'index.html')}\n`);
    process.exitCode = r.failed.length ? 2 : 0;
  });

async function main(argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed "error: ..." with the accepted values
    }
    if (e instanceof UsageError) {
      process.stderr.write(`leakbench: ${e.message}\n`);
      return 2;
    }
    if (e instanceof SimulationError) {
      process.stderr.write(`leakbench: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`leakbench: ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}

// `leakbench … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = await main(process.argv);
