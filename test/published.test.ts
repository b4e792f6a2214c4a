// The published report is what its data and the current report code produce: regenerated, byte for byte.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { buildReport } from '@leakbench/report';
import { readRun } from '@leakbench/core';

const PUBLISHED = resolve(import.meta.dirname, '../published');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('published report', () => {
  it('holds a complete real default run with verdicts and calibration', () => {
    const run = readRun(join(PUBLISHED, 'data/default-run'));
    expect(run.cells).toHaveLength(10);
    expect(run.cells.every((c) => c.record.status === 'ok' && c.verdict)).toBe(true);
    expect(run.calibration?.summaries.length).toBeGreaterThan(0);
  });

  it('is regenerated from its data byte for byte (run `npx turbo run report` after changing the report)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'leakbench-published-')), 'site');
    await buildReport([join(PUBLISHED, 'data/default-run')], out);
    const expected = files(join(PUBLISHED, 'site')).map((f) => relative(join(PUBLISHED, 'site'), f)).sort();
    expect(files(out).map((f) => relative(out, f)).sort()).toEqual(expected);
    for (const f of expected) expect(readFileSync(join(out, f), 'utf8') === readFileSync(join(PUBLISHED, 'site', f), 'utf8'), f).toBe(true);
  });
});
