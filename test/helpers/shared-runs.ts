// Runs that several measuring files read, made once per test session: the first file that asks for a run starts it,
// the others read it. The measuring files run one at a time (vitest.config.ts), so one never waits for another's
// half-made run. A file run on its own makes the run itself. Readers must not write into a shared run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import { readRun, type RunData } from '@leakbench/core';
import './shared-runs-setup.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');

/** Both real backends, the five fixtures of the study, 120 iterations, every cell's attribution pass. */
export const ATTRIBUTED_RUN = ['run', '--backends', 'native,wasm', '--fixtures', 'none,object,list,double,double100', '--iterations', '120', '--attribute', '--json'];

/** The run `leakbench <args> --out <dir>` made, made now if no file of this session made it yet. */
export function sharedRun(args: string[]): RunData {
  const dir = join(inject('sharedRuns'), createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16));
  const made = `${dir}.made`; // written once the run exited 0: a run that failed is made again by the next file
  if (!existsSync(made)) {
    rmSync(dir, { recursive: true, force: true }); // what a failed attempt left
    const r = spawnSync(process.execPath, [CLI, ...args, '--out', dir], { cwd: ROOT, encoding: 'utf8', timeout: 290_000 });
    if (r.status !== 0) throw new Error(`leakbench ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    writeFileSync(made, '');
  }
  return readRun(dir);
}
