// One cell in a fresh Node process: fork with the host profile's flags, follow progress from the samples file,
// kill it after the timeout, and say how it ended. Knows nothing of manifests or verdicts.
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { runPaths } from '@leakbench/core';
import type { CellSpec, CellStatus, RunManifest, BuildInfo } from '@leakbench/core';
import { interposerEnv } from '@leakbench/native-probe';
import { pageJsFlagsEnv } from '@leakbench/browser-host';
import type { CellMessage } from './protocol.js';
import type { CellPart } from './cell.js';

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
  /**
   * 'cell' (default): the measured cell, files in the cell's directory. 'attribute': the attribution pass, which
   * runs the cell again with heap snapshots and keeps its files in the cell's attribution directory.
   */
  mode?: 'cell' | 'attribute';
  /** The part of the cell this process runs (cell mode; default the whole cell). A later segment appends. */
  part?: CellPart;
  /** How often (ms) the samples file is read for progress (default 250). */
  pollMs?: number;
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

/**
 * Lines appended to a file so far (the samples a cell has written), counted from where the last call stopped:
 * each poll reads only the new bytes, so following a 50 000-iteration cell costs the parent a 64 kB buffer, not
 * the whole file four times a second.
 */
export class LineCounter {
  private fd: number | null = null;
  private offset = 0;
  private lines = 0;
  private readonly buf = Buffer.alloc(64 * 1024);

  constructor(readonly path: string) {}

  /** Lines so far; throws while the file does not exist yet. */
  count(): number {
    this.fd ??= openSync(this.path, 'r');
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, this.offset);
      if (n <= 0) return this.lines;
      this.offset += n;
      for (let k = this.buf.indexOf(10); k !== -1 && k < n; k = this.buf.indexOf(10, k + 1)) this.lines++;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

export interface CellProcess {
  child: ChildProcess;
  ended: Promise<CellProcessEnd>;
}

/** The files a cell process writes: the measured cell's, or the attribution pass's (see CellProcessOptions.mode). */
export function processFiles(dir: string, id: string, mode: 'cell' | 'attribute') {
  const paths = runPaths(dir);
  if (mode === 'cell') return { dir: paths.cellDir(id), samples: paths.samples(id), stderr: paths.stderr(id), gcLog: paths.gcLog(id) };
  const a = paths.attributionDir(id);
  return { dir: a, samples: join(a, 'samples.ndjson'), stderr: join(a, 'stderr.log'), gcLog: join(a, 'gc.log') };
}

/** The malloc interposer's environment when the cell's spec asks for it (CellSpec.probes.nativeModules). */
const probeEnv = (spec: CellSpec, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => (spec.probes?.nativeModules ? interposerEnv(spec.probes.nativeModules, env) : {});

/**
 * A cell in a page runs the host profile's V8 flags in the page's V8 (Chromium's --js-flags): `stable` keeps the
 * page's JS heap free of JIT code steps as it keeps a Node cell's. Its environment (glibc's tunables) reaches the
 * browser as the cell process's own.
 */
const pageFlagsEnv = (spec: CellSpec, host: RunManifest['options']['host']): NodeJS.ProcessEnv => (spec.host === 'chromium' ? pageJsFlagsEnv(host.nodeFlags) : {});

export function startCellProcess(dir: string, spec: CellSpec, o: CellProcessOptions): CellProcess {
  const mode = o.mode ?? 'cell';
  const files = processFiles(dir, spec.id, mode);
  mkdirSync(files.dir, { recursive: true });
  const log = openSync(files.stderr, 'a');
  // V8's --trace-gc lines go to the cell's gc.log on stdout; the cell counts GCs by kind from it.
  // A later segment appends to it: its process counts GCs from the log's start, so the counts go on across segments.
  const later = (o.part?.segment ?? 0) > 0;
  const gcLog = openSync(files.gcLog, later ? 'a' : 'w');
  const partArg = mode === 'cell' && o.part ? [JSON.stringify(o.part)] : [];
  const child = fork(o.worker, [mode, JSON.stringify(spec), mode === 'cell' ? files.samples : files.dir, ...partArg], {
    execArgv: ['--expose-gc', '--trace-gc', ...o.host.nodeFlags],
    stdio: ['ignore', gcLog, log, 'ipc'],
    env: { ...(o.env ?? process.env), ...o.host.env, ...probeEnv(spec, o.env ?? process.env), LEAKBENCH_GC_LOG: files.gcLog, ...pageFlagsEnv(spec, o.host) },
  });
  let finished = false;
  let error: string | null = null;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.timeoutS * 1000);
  // Progress comes from the samples file's length (the cell sends nothing while it measures).
  // A later segment's file already holds the earlier segments' lines, and its own first lines are the baseline
  // and the uncounted warm-up.
  const counter = new LineCounter(files.samples);
  const before = later ? counter.count() : 0;
  const uncounted = 1 + (later ? spec.warmup : 0);
  let seen = before;
  const poll = setInterval(() => {
    try {
      const lines = counter.count();
      if (lines > seen) {
        seen = lines;
        o.onProgress?.((o.part?.from ?? 0) + Math.max(0, lines - before - uncounted));
      }
    } catch {
      /* not created yet */
    }
  }, o.pollMs ?? 250);
  child.on('message', (m: CellMessage) => {
    if (m.type === 'start') o.onStart?.(m.build);
    else if (m.type === 'done') finished = true;
    else if (m.type === 'error') error = m.message;
  });
  const ended = new Promise<CellProcessEnd>((done) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      clearInterval(poll);
      counter.close();
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
