// `leakbench run` and `leakbench run --resume`: the CLI side of the harness (progress display, exit codes).
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { join, resolve } from 'node:path';
import { parseFixtureList } from './fixtures.js';
import { createRun, executeRun, resumeRun, RUN_DEFAULTS } from './harness/run.js';
import type { RunEvent, RunOutcome } from './harness/run.js';
import { commaList, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './cli-util.js';
import { readVerdict } from './storage.js';

/** Progress per run: a bar (cells done, iterations/s, ETA) on a terminal, plain lines otherwise. */
export function progressReporter(totalCells: number, totalIterations: number, json: boolean) {
  const tty = process.stderr.isTTY && !json;
  const started = Date.now();
  let iterations = 0;
  let cellsDone = 0;
  const perCell = new Map<string, number>();
  const bar = tty
    ? new cliProgress.SingleBar(
        { format: 'cells {cells}/{totalCells} |{bar}| {percentage}% iterations | {rate} it/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  bar?.start(totalIterations, 0, { cells: 0, totalCells, rate: '0' });
  const onEvent = (e: RunEvent) => {
    const id = e.cell.spec.id;
    if (e.type === 'cell-progress') {
      iterations += e.done - (perCell.get(id) ?? 0);
      perCell.set(id, e.done);
      const rate = iterations / Math.max(0.001, (Date.now() - started) / 1000);
      bar?.update(iterations, { cells: cellsDone, totalCells, rate: rate.toFixed(0) });
    } else if (e.type === 'cell-end') {
      cellsDone++;
      if (bar) bar.update(iterations, { cells: cellsDone, totalCells });
      else if (!json) process.stderr.write(`[${cellsDone}/${totalCells}] ${id}: ${e.cell.status} (${e.cell.samples} samples)${e.cell.error ? ` — ${e.cell.error}` : ''}\n`);
    } else if (!bar && !json) {
      process.stderr.write(`start ${id}\n`);
    }
  };
  return { onEvent, stop: () => bar?.stop() };
}

/** Prints the outcome; returns the exit code (0 all ok, 1 some cells failed, 130 interrupted). */
export function reportOutcome(dir: string, outcome: RunOutcome, json: boolean): number {
  const rows = outcome.manifest.cells.map((c) => ({ cell: c.spec.id, status: c.status, samples: c.samples, error: c.error, verdict: readVerdict(dir, c.spec.id) }));
  if (json) {
    process.stdout.write(JSON.stringify({ dir, interrupted: outcome.interrupted, failed: outcome.failed.map((c) => c.spec.id), cells: rows }, null, 2) + '\n');
  } else {
    process.stdout.write(`run: ${dir}\n`);
    for (const r of rows) {
      process.stdout.write(`  ${r.cell.padEnd(32)} ${r.status.padEnd(11)} ${String(r.samples).padStart(6)} samples  ${r.verdict?.summary ?? ''}\n`);
    }
    if (outcome.failed.length) {
      process.stdout.write(`failed cells: ${outcome.failed.map((c) => `${c.spec.id} (${c.status}${c.error ? `: ${c.error}` : ''})`).join(', ')}\n`);
      process.stdout.write(`re-run them with: leakbench run --resume ${dir}\n`);
    }
  }
  if (outcome.interrupted) return 130;
  return outcome.failed.length ? 1 : 0;
}

function defaultOutDir(): string {
  const stamp = new Date().toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  return resolve('runs', `run-${stamp}`);
}

export function registerRunCommands(program: Command): void {
  program
    .command('run')
    .description('run the backend × model × fixture matrix, each cell in a fresh Node process')
    .option('--backends <list>', 'comma list of backends', RUN_DEFAULTS.backends.join(','))
    .option('--backend-module <path>', 'a module implementing the Backend interface (replaces --backends)')
    .option('--models <list>', 'comma list of models', RUN_DEFAULTS.models.join(','))
    .option('--fixtures <list>', 'comma list of fixtures, or all (none,object,list,double,double100)', 'all')
    .option('--iterations <n>', 'iterations per cell, warm-up included', positiveInt('--iterations'), RUN_DEFAULTS.iterations)
    .option('--warmup <n>', 'first iterations recorded but marked warm-up', nonNegativeInt('--warmup'), RUN_DEFAULTS.warmup)
    .option('--duration <ms>', "simulated ms per iteration (default: the model's)", positiveNumber('--duration'))
    .option('--log-interval <ms>', "logged state interval (default: the model's)", positiveNumber('--log-interval'))
    .addOption(new Option('--gc <policy>', 'none, or a full GC before each sample').argParser(oneOf('--gc', ['none', 'before-sample'] as const)).default(RUN_DEFAULTS.gc))
    .option('--jobs <n>', 'cells run in parallel', positiveInt('--jobs'), RUN_DEFAULTS.jobs)
    .option('--cell-timeout <s>', 'seconds before a cell is killed and marked timeout', positiveNumber('--cell-timeout'), RUN_DEFAULTS.cellTimeoutS)
    .addOption(new Option('--host <profile>', 'cell process profile: stable (no JIT tiers, no glibc tcache) or stock').argParser(oneOf('--host', ['stable', 'stock'] as const)).default(RUN_DEFAULTS.host))
    .option('--no-settle', 'skip the settle check (GC + event-loop turns, then one more sample)')
    .option('--out <dir>', 'new or empty run directory (default: runs/run-<timestamp>)')
    .option('--resume <dir>', 're-run only the cells of <dir> that did not finish')
    .option('--report [site-dir]', 'build the static report after the run (default: <run>/site)')
    .option('--json', 'print the outcome as JSON')
    .action(async (o) => {
      let dir: string;
      let outcome: RunOutcome;
      if (o.resume) {
        dir = resolve(o.resume);
        const { readManifest } = await import('./storage.js');
        const m = readManifest(dir);
        const todo = m.cells.filter((c) => c.status !== 'ok');
        const p = progressReporter(todo.length, todo.reduce((a, c) => a + c.spec.iterations, 0), o.json);
        try {
          outcome = await resumeRun(dir, { onEvent: p.onEvent, jobs: o.jobs });
        } finally {
          p.stop();
        }
      } else {
        dir = resolve(o.out ?? defaultOutDir());
        const manifest = await createRun({
          backends: o.backendModule ? [] : commaList(o.backends),
          backendModule: o.backendModule ?? null,
          models: commaList(o.models),
          fixtures: parseFixtureList(o.fixtures),
          iterations: o.iterations,
          warmup: o.warmup,
          durationMs: o.duration,
          logIntervalMs: o.logInterval,
          gc: o.gc,
          jobs: o.jobs,
          cellTimeoutS: o.cellTimeout,
          settle: o.settle,
          host: o.host,
          out: dir,
        });
        const p = progressReporter(manifest.cells.length, manifest.cells.reduce((a, c) => a + c.spec.iterations, 0), o.json);
        try {
          outcome = await executeRun(dir, manifest, { onEvent: p.onEvent });
        } finally {
          p.stop();
        }
      }
      process.exitCode = reportOutcome(dir, outcome, o.json);
      if (o.report && !outcome.interrupted) {
        const site = typeof o.report === 'string' ? resolve(o.report) : join(dir, 'site');
        const { buildSite } = await import('./report-bridge.js');
        await buildSite([dir], site, { keepGoing: true });
        if (!o.json) process.stdout.write(`report: ${join(site, 'index.html')}\n`);
      }
    });
}

