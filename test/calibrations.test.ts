// The published calibrations' trials, judged again: their series are published (published/data/trials/<name>/),
// so any change of the verdict rules that moves a published trial — its decision, place, size or interval — fails
// here until the calibrations are re-judged (`leakbench calibrate --reanalyse <dir>`) and published again with the
// change explained. This is the replay half of the operating-characteristics gate; the synthetic half is
// packages/analysis/src/verdict/operating.test.ts.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { readRun } from '@leakbench/core';
import { calibrationTrial, judgeCell } from '@leakbench/analysis';

const TRIALS = resolve(import.meta.dirname, '../published/data/trials');
const published = existsSync(TRIALS) ? readdirSync(TRIALS).sort() : [];
/** As stored: without undefined fields, whatever their order. */
const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('published calibration trials', () => {
  it('are published for the current rules (at least the stable fixed-count zoo calibration)', () => {
    expect(published).toContain('stable-fixed');
  });

  describe.each(published)('%s', (name) => {
    it('every trial, judged by the current rules from its series, is what the published calibration says', () => {
      const run = readRun(join(TRIALS, name));
      const cal = run.calibrations[0]!;
      expect(cal.trials).toHaveLength(run.cells.length);
      const key = (t: { backend: string; fixture: string; iterations: number; trial: number }) => `${t.backend} ${t.fixture} ${t.iterations} t${t.trial}`;
      const stored = new Map(cal.trials.map((t) => [key(t), t]));
      const moved: string[] = [];
      for (const cell of run.cells) {
        const judged = calibrationTrial(cell.record.spec, judgeCell(cell.record.spec, cell.samples, run.manifest.options.host, cell.attribution));
        const was = stored.get(key(judged));
        expect(was, key(judged)).toBeDefined();
        if (!isDeepStrictEqual(plain(judged), plain(was))) moved.push(`${key(judged)}: ${JSON.stringify(was)} → ${JSON.stringify(judged)}`);
      }
      expect(moved, 're-judge with `leakbench calibrate --reanalyse` and publish again').toEqual([]);
    });
  });
});
