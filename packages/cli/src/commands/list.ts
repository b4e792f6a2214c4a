// `leakbench list`: backends, models and fixtures.
import type { Command } from 'commander';
import { FIXTURES } from '@leakbench/core';
import { BUILTIN_BACKENDS, loadBackend } from '../registry.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list backends, models and fixtures')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      const backend = await loadBackend('native').catch(() => loadBackend('wasm'));
      const models = backend.models().map((m) => ({ id: m.id, description: `${m.title}; ${m.stateNames.length} states; stimulus every ${m.stimulus.periodMs} ms; default ${m.defaultDurationMs} ms` }));
      const backends = Object.entries(BUILTIN_BACKENDS).map(([id, b]) => ({ id, description: b.description }));
      const fixtures = FIXTURES.map((f) => ({ id: f.id, description: `${f.description} [${f.expected}]` }));
      if (o.json) return void process.stdout.write(JSON.stringify({ backends, models, fixtures }, null, 2) + '\n');
      for (const [title, rows] of [['backends', backends], ['models', models], ['fixtures', fixtures]] as const) {
        process.stdout.write(`${title}:\n`);
        for (const r of rows) process.stdout.write(`  ${r.id.padEnd(16)} ${r.description}\n`);
      }
    });
}
