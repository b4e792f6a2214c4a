// One cell in a fresh Node process: fork with the host profile's flags, follow progress from the samples file,
// kill it after the timeout, and say how it ended. Knows nothing of manifests or verdicts.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { runPaths } from '@leakbench/core';
import type { CellSpec, CellStatus, RunManifest, BuildInfo } from '@leakbench/core';
import type { CellMessage } from './protocol.js';

export interface CellProcessOptions {
  /** Path of the worker entry script (see worker.ts). */
  worker: string;
  host: RunManifest['options']['host'];
  timeoutS: number;
  env?: NodeJS.ProcessEnv;
  /** Called when the cell has loaded its backend. */
  onStart?: (build: BuildInfo) => void;
  /** Called with the number of completed iterations as samples reach the disk. */
  onProgress?: (done: number) => void;
}

export interface CellProcessEnd {
  exitCode: number | null;
  signal: string | null;
  /** The cell said it finished every iteration. */
  finished: boolean;
  timedOut: boolean;
  /** The message of an error the cell reported, if any. */
  error: string | null;
}

/** Lines in a file (samples written so far), counted without holding the whole file as a string. */
function countLines(path: string): number {
  const buf = readFileSync(path);
  let n = 0;
  for (let k = buf.indexOf(10); k !== -1; k = buf.indexOf(10, k + 1)) n++;
  return n;
}

export interface CellProcess {
  child: ChildProcess;
  ended: Promise<CellProcessEnd>;
}

export function startCellProcess(dir: string, spec: CellSpec, o: CellProcessOptions): CellProcess {
  const paths = runPaths(dir);
  const id = spec.id;
  mkdirSync(paths.cellDir(id), { recursive: true });
  const log = openSync(paths.stderr(id), 'a');
  // V8's --trace-gc lines go to the cell's gc.log on stdout; the cell counts GCs by kind from it.
  const gcLog = openSync(paths.gcLog(id), 'w');
  const child = fork(o.worker, ['cell', JSON.stringify(spec), paths.samples(id)], {
    execArgv: ['--expose-gc', '--trace-gc', ...o.host.nodeFlags],
    stdio: ['ignore', gcLog, log, 'ipc'],
    env: { ...(o.env ?? process.env), ...o.host.env, LEAKBENCH_GC_LOG: paths.gcLog(id) },
  });
  let finished = false;
  let error: string | null = null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.timeoutS * 1000);
  // Progress comes from the samples file's length (the cell sends nothing while it measures).
  let seen = 0;
  const poll = setInterval(() => {
    try {
      const lines = countLines(paths.samples(id));
      if (lines > seen) {
        seen = lines;
        o.onProgress?.(Math.max(0, lines - 1));
      }
    } catch {
      /* not created yet */
    }
  }, 250);
  child.on('message', (m: CellMessage) => {
    if (m.type === 'start') o.onStart?.(m.build);
    else if (m.type === 'done') finished = true;
    else if (m.type === 'error') error = m.message;
  });
  const ended = new Promise<CellProcessEnd>((done) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      done({ exitCode: code, signal, finished, timedOut, error });
    });
  });
  return { child, ended };
}

/** The status a cell ends with. `interrupted`: the run was stopped by a signal while the cell ran. */
export function endStatus(end: CellProcessEnd, interrupted: boolean): CellStatus {
  if (end.finished && end.exitCode === 0) return 'ok';
  if (end.timedOut) return 'timeout';
  if (interrupted) return 'interrupted';
  if (end.error) return 'error';
  return 'crashed';
}
