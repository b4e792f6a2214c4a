// `leakbench simulate`: one run of the workload, printed as CSV or JSON.
import { spawnSync } from 'node:child_process';
import { Option, type Command } from 'commander';
import { numericsEnv, runSimulation } from '@leakbench/harness';
import { UsageError } from '@leakbench/core';
import { numericsOption, oneOf, positiveInt, positiveNumber } from '../args.js';
import { formatCsv, formatJson } from '../format.js';
import { checkBackendId, loadAnyBackend } from '../registry.js';

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description('run the workload once and print the trace and solver statistics')
    .addOption(new Option('--backend <id>', 'backend').default('native'))
    .option('--backend-module <path>', 'a module implementing the Backend interface (instead of --backend)')
    .addOption(new Option('--model <id>', 'model').default('lr1991'))
    .option('--duration <ms>', "simulated time (default: the model's)", positiveNumber('--duration'))
    .option('--log-interval <ms>', "interval between logged states (default: the model's)", positiveNumber('--log-interval'))
    .option('--fixture <id>', 'leak fixture injected into the call', 'none')
    .option('--max-steps <n>', 'CVODE step budget per log interval (lower it to provoke a solver failure)', positiveInt('--max-steps'))
    .addOption(new Option('--format <fmt>', 'output format').argParser(oneOf('--format', ['csv', 'json'] as const)).default('csv'))
    .addOption(numericsOption("glibc's FMA variants masked, so the addon computes what WASM computes (as in cells)"))
    .action(async (o) => {
      // glibc chooses its libm variants at start-up: a process started without the numerics asked for runs the
      // same command again in one that has them.
      const env = process.env.LEAKBENCH_NUMERICS_REEXEC ? null : numericsEnv(o.numerics);
      if (env) {
        const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env: { ...env, LEAKBENCH_NUMERICS_REEXEC: '1' }, stdio: 'inherit' });
        process.exitCode = r.status ?? 1;
        return;
      }
      if (!o.backendModule) checkBackendId(o.backend);
      const backend = await loadAnyBackend(o.backend, o.backendModule ?? null);
      // simulate computes in this process; a page backend's Node instance would answer for the page without saying so.
      if (backend.host === 'chromium') throw new UsageError(`--backend ${backend.id}: its module runs in a page of Chromium, and simulate computes in this process; the same module in Node is --backend wasm (leakbench bench checks that both compute the same trace bit for bit)`);
      const r = runSimulation(backend, { model: o.model, durationMs: o.duration, logIntervalMs: o.logInterval, fixture: o.fixture, maxSteps: o.maxSteps });
      process.stdout.write(o.format === 'json' ? formatJson(r, backend, o.model) : formatCsv(r));
    });
}
