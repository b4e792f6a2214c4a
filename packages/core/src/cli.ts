#!/usr/bin/env node
// leakbench CLI: a thin layer over @leakbench/core. Bad input exits 2 with a message naming what is accepted.
import { Command, CommanderError, Option } from 'commander';
import { UsageError } from './errors.js';
import { SimulationError } from './backend.js';
import { BUILTIN_BACKENDS, loadAnyBackend, checkBackendId } from './backends.js';
import { FIXTURES } from './fixtures.js';
import { formatCsv, formatJson, runSimulation } from './simulate.js';
import { oneOf, positiveInt, positiveNumber } from './cli-util.js';
import { registerRunCommands } from './cli-run.js';

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

process.exitCode = await main(process.argv);
