// `leakbench list`: backends, models and fixtures.
import type { Command } from 'commander';
import { describeFixtures } from '@leakbench/core';
import { BUILTIN_BACKENDS, loadBackend } from '../registry.js';

export function registerList(program: Command): void {
  program
    .command('list')
    .description('list backends, models and the fixture zoo (each shape, its layer, leak or not)')
    .option('--json', 'machine-readable output')
    .action(async (o) => {
      const backend = await loadBackend('native').catch(() => loadBackend('wasm'));
      const models = backend.models().map((m) => ({ id: m.id, description: [m.title ?? m.id, m.stateNames && `${m.stateNames.length} states`, m.stimulus && `stimulus every ${m.stimulus.periodMs} ms`, m.defaultDurationMs && `default ${m.defaultDurationMs} ms`].filter(Boolean).join('; ') }));
      const backends = Object.entries(BUILTIN_BACKENDS).map(([id, b]) => ({ id, description: b.description }));
      // The zoo: each shape with the layer it must show in, and whether it is a leak at all.
      const fixtures = describeFixtures().map((f) => ({ ...f, description: `[${f.leaks ? 'leak' : 'not a leak'} · ${f.layer}] ${f.description}` }));
      if (o.json) return void process.stdout.write(JSON.stringify({ backends, models, fixtures }, null, 2) + '\n');
      for (const [title, rows] of [['backends', backends], ['models', models], ['fixtures', fixtures]] as const) {
        process.stdout.write(`${title}:\n`);
        for (const r of rows) process.stdout.write(`  ${r.id.padEnd(30)} ${r.description}\n`);
      }
    });
}
