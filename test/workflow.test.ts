// The CI workflow (.github/workflows/leakbench.yml) is valid YAML whose leakbench commands are the README's and
// exist in the CLI as written: every subcommand, every option.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { expectCommandLine } from './helpers/cli-help.js';

const ROOT = resolve(import.meta.dirname, '..');
const workflow = parse(readFileSync(join(ROOT, '.github/workflows/leakbench.yml'), 'utf8'));
const steps = Object.values(workflow.jobs as Record<string, { steps: { run?: string; uses?: string }[] }>).flatMap((j) => j.steps);
const runLines = steps.flatMap((s) => (s.run ? s.run.split('\n').filter((l) => l.trim()) : []));
/** A workflow line as a user would type it: the matrix and env expressions replaced by the first shard's values. */
const asTyped = (line: string) => line.replace(/\$\{\{\s*matrix\.shard\s*\}\}/g, '1').replace(/\$\{\{\s*env\.SHARDS\s*\}\}/g, String(workflow.env.SHARDS)).trim();
const leakbenchLines = runLines.filter((l) => l.trim().startsWith('npx leakbench ')).map(asTyped);

describe('CI workflow', () => {
  it('is YAML with a matrix job of shards and a gate job that merges, checks and uploads the report', () => {
    expect(workflow.jobs.shard.strategy.matrix.shard).toEqual(Array.from({ length: workflow.env.SHARDS }, (_, k) => k + 1));
    expect(workflow.jobs.gate.needs).toBe('shard');
    const subs = leakbenchLines.map((l) => l.split(/\s+/)[2]);
    expect(subs).toEqual(['run', 'merge', 'check', 'report']);
    expect(steps.some((s) => s.uses?.startsWith('actions/upload-artifact'))).toBe(true);
    // Every shard the matrix makes is merged.
    const merge = leakbenchLines.find((l) => l.includes(' merge '))!;
    for (const k of workflow.jobs.shard.strategy.matrix.shard) expect(merge).toContain(`runs/shard-${k}`);
  });

  it.each(leakbenchLines)('%s: the subcommand and each option exist in the CLI', (line) => expectCommandLine(line, 'the workflow'));

  it('runs the same commands as the README shows', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const line of leakbenchLines) expect(readme, line).toContain(line);
  });

  it('sets up and builds with the README\'s commands', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const line of runLines.filter((l) => l.trim().startsWith('npm run '))) expect(Object.keys(pkg.scripts)).toContain(line.trim().split(/\s+/)[2]);
    expect(runLines.map((l) => l.trim())).toContain('npx turbo run build');
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('npm run setup && npx turbo run build');
  });
});
