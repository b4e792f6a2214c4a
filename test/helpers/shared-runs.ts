// Runs that several test files read, made once per test session: the first file that asks for a run makes it,
// the others wait for it and read it. Files run two at a time (vitest.config.ts), so two may ask at once: the one that
// creates `<dir>.lock` makes the run, the other waits until `<dir>.made` appears (or the lock goes: the maker failed,
// and the waiter tries itself). A file run on its own makes the run itself. Readers must not write into a shared run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { readRun, type RunData } from '@leakbench/core';
import { runToEnd } from './run-to-end.js';
import './shared-runs-setup.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/cli.js');

/** Both real backends, the five fixtures of the study, 120 iterations, every cell's attribution pass. */
export const ATTRIBUTED_RUN = ['run', '--backends', 'native,wasm', '--fixtures', 'none,object,list,double,double100', '--iterations', '120', '--attribute', '--json'];

/** The process holding a lock is gone (a test process killed while it made the run): the lock is stale. */
function stale(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // just created, its pid not written yet
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** The run `leakbench <args> --out <dir>` made, made now if no file of this session made it yet. */
export async function sharedRun(args: string[]): Promise<RunData> {
  const dir = join(inject('sharedRuns'), createHash('sha256').update(JSON.stringify(args)).digest('hex').slice(0, 16));
  const made = `${dir}.made`; // written once the run exited 0: a run that failed is made again by the next file
  const lock = `${dir}.lock`;
  for (;;) {
    if (existsSync(made)) return readRun(dir);
    try {
      mkdirSync(lock); // atomic: one file makes the run
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (stale(lock)) rmSync(lock, { recursive: true, force: true });
      else await sleep(250);
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (existsSync(made)) return readRun(dir);
      rmSync(dir, { recursive: true, force: true }); // what a failed attempt left
      const r = await runToEnd(process.execPath, [CLI, ...args, '--out', dir], { cwd: ROOT, timeoutMs: 290_000 });
      if (r.status !== 0) throw new Error(`leakbench ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
      writeFileSync(made, '');
      return readRun(dir);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}
